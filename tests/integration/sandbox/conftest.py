"""Fixtures: a sandbox server per test on 127.0.0.1 and the official SDK pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import stripe

from stripe_sandbox import DeliveryPolicy, SandboxSettings, SandboxStore, portal_configurations
from stripe_sandbox.testing import RunningSandbox, running_sandbox

FAST_DELIVERY = DeliveryPolicy(initial_backoff=0.05, max_backoff=0.2, max_attempts=5, timeout=2)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[RunningSandbox]:
    settings = SandboxSettings(state_path=tmp_path / "state.json", delivery=FAST_DELIVERY)
    with running_sandbox(settings) as running:
        yield running


def sdk(url: str, key: str = "sk_test_sandbox") -> stripe.StripeClient:
    """The official client, as the project builds it, pointed at ``url``."""
    return stripe.StripeClient(
        key,
        base_addresses={"api": url},
        stripe_version=stripe.api_version,
        max_network_retries=0,
    )


@pytest.fixture
def client(sandbox: RunningSandbox) -> stripe.StripeClient:
    return sdk(sandbox.url)


@pytest.fixture
def plans(client: stripe.StripeClient) -> dict[str, Any]:
    """Basic and Pro, monthly and yearly, like the demo catalog."""
    found: dict[str, Any] = {}
    for name, monthly in (("Basic", 900), ("Pro", 2900)):
        product = client.v1.products.create(params={"name": name})
        found[name.lower()] = product
        for interval, amount in (("month", monthly), ("year", monthly * 10)):
            price = client.v1.prices.create(
                params={
                    "product": product.id,
                    "currency": "usd",
                    "unit_amount": amount,
                    "recurring": {"interval": interval},
                    "lookup_key": f"{name.lower()}_{interval}ly",
                }
            )
            found[f"{name.lower()}_{interval}ly"] = price
    return found


def save_dashboard_default(store: SandboxStore) -> dict[str, Any]:
    """The account's default portal configuration, as saving the portal settings in Stripe's
    dashboard creates it (the API never makes one the default)."""
    with store.transaction() as ledger:
        return ledger.render(portal_configurations.create_dashboard_default(ledger))


def new_customer(client: stripe.StripeClient, card: str | None = "pm_card_visa") -> Any:
    params: dict[str, Any] = {"email": "jo@example.com", "name": "Jo"}
    if card:
        params.update(payment_method=card, invoice_settings={"default_payment_method": card})
    return client.v1.customers.create(params=params)  # type: ignore[arg-type]


def eventually(predicate: Any, timeout: float = 10.0, interval: float = 0.01) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` seconds pass (a deadline, not a sleep)."""
    import threading
    import time

    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while time.monotonic() < deadline:
        if predicate():
            return True
        pause.wait(interval)
    return bool(predicate())
