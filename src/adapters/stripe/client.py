"""Build the one ``StripeClient`` an application uses (never the global ``stripe.api_key``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import stripe

from adapters.stripe.metered_http_client import MeteredHTTPXClient

DEFAULT_API_VERSION = "2026-10-28.endive"


@dataclass(frozen=True, slots=True)
class StripeSettings:
    """How to reach Stripe (or a local stand-in at ``api_base``); the key is kept out of repr."""

    api_key: str = field(repr=False)
    api_base: str | None = None
    api_version: str = DEFAULT_API_VERSION
    timeout_seconds: float = 10.0
    max_network_retries: int = 2

    def __post_init__(self) -> None:
        if not self.api_key.strip():
            raise ValueError("the Stripe API key is empty")
        if self.timeout_seconds <= 0:
            raise ValueError("the Stripe timeout must be positive")
        if self.max_network_retries < 0:
            raise ValueError("the Stripe network retries must be zero or more")


def build_stripe_client(
    settings: StripeSettings, *, http_client: stripe.HTTPClient | None = None
) -> stripe.StripeClient:
    """An async client pinned to ``settings.api_version``.

    Retried POSTs reuse the idempotency key the SDK (or the caller) put on the first try.
    The HTTP client owns a connection pool: close it with ``open_stripe_client`` or
    ``await http_client.close_async()``.
    """
    api_base = settings.api_base.rstrip("/") if settings.api_base else None
    return stripe.StripeClient(
        settings.api_key,
        stripe_version=settings.api_version,
        base_addresses={"api": api_base} if api_base else None,
        max_network_retries=settings.max_network_retries,
        http_client=http_client or MeteredHTTPXClient(timeout=settings.timeout_seconds),
    )


@asynccontextmanager
async def open_stripe_client(settings: StripeSettings) -> AsyncIterator[stripe.StripeClient]:
    """A client for the app's lifetime whose connection pool is closed on exit."""
    http_client = MeteredHTTPXClient(timeout=settings.timeout_seconds)
    try:
        yield build_stripe_client(settings, http_client=http_client)
    finally:
        await http_client.close_async()  # type: ignore[no-untyped-call]  # untyped in the SDK
