"""Settings of one sandbox server."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .delivery import DeliveryPolicy


@dataclass(frozen=True)
class WebhookEndpointConfig:
    """An endpoint that receives every event, with its ``whsec_...`` signing secret."""

    url: str
    secret: str


@dataclass(frozen=True)
class SandboxSettings:
    """What a sandbox server needs to start.

    ``state_path`` None keeps state in memory only. ``public_base_url`` is how browsers
    reach the server (it prefixes hosted invoice and portal URLs). API keys must start with
    ``api_key_prefix``. ``rate_limit_per_second`` None means no 429s.
    """

    state_path: Path | None = None
    public_base_url: str = "http://127.0.0.1:12111"
    api_key_prefix: str = "sk_test_"
    webhook_endpoints: tuple[WebhookEndpointConfig, ...] = ()
    delivery: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    rate_limit_per_second: int | None = None
    business_name: str = "Sandbox SaaS"
