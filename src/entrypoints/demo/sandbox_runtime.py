"""The embedded Stripe sandbox as the demo runs it: where its state lives, how it starts.

Only entrypoints may start the sandbox; the adapters talk to it as they would to Stripe,
through ``STRIPE_API_BASE``.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from application.errors import ApplicationError
from entrypoints.settings import Settings
from stripe_sandbox import SandboxSettings, SandboxStore, WebhookEndpointConfig
from stripe_sandbox.testing import RunningSandbox, running_sandbox


class SandboxUnavailable(ApplicationError):
    """The embedded sandbox cannot start (its port is taken, or it is not in use)."""


def sandbox_state_path(settings: Settings) -> Path:
    return settings.data_dir / "sandbox" / "state.json"


def sandbox_port(settings: Settings) -> int:
    base = urlsplit(settings.stripe.api_base or "")
    if base.hostname not in {"127.0.0.1", "localhost"} or base.port is None:
        raise SandboxUnavailable(
            f"STRIPE_API_BASE {settings.stripe.api_base!r} is not a loopback address with a "
            "port; the embedded sandbox serves on one (default http://127.0.0.1:12111)"
        )
    return base.port


def sandbox_settings(settings: Settings, webhook_url: str | None = None) -> SandboxSettings:
    """``webhook_url``: the API's webhook route, signed with the first of
    STRIPE_WEBHOOK_SECRETS (in sandbox mode, a fixed development secret by default)."""
    endpoints: tuple[WebhookEndpointConfig, ...] = ()
    if webhook_url is not None and settings.webhooks.secrets:
        endpoints = (WebhookEndpointConfig(webhook_url, settings.webhooks.secrets[0]),)
    return SandboxSettings(
        state_path=sandbox_state_path(settings),
        public_base_url=(settings.stripe.api_base or "").rstrip("/"),
        webhook_endpoints=endpoints,
    )


def open_sandbox_store(settings: Settings) -> SandboxStore:
    """The sandbox's state, shared safely (file lock) with a server that may be running."""
    if not settings.stripe_sandbox:
        raise SandboxUnavailable(
            "STRIPE_SECRET_KEY is set, so this service talks to Stripe, not the sandbox; "
            "unset it (development only) to use the sandbox"
        )
    state = sandbox_settings(settings)
    return SandboxStore(state.state_path, state.public_base_url)


@contextlib.contextmanager
def started_sandbox(settings: Settings, webhook_url: str | None = None) -> Iterator[RunningSandbox]:
    """Serve the sandbox on STRIPE_API_BASE's port in a background thread, delivering
    every event to ``webhook_url`` when given."""
    port = sandbox_port(settings)
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SandboxUnavailable(
                f"port {port} is already in use (another `make run`?); stop it or set "
                "STRIPE_API_BASE to another http://127.0.0.1:PORT"
            )
    with running_sandbox(sandbox_settings(settings, webhook_url), port=port) as sandbox:
        yield sandbox
