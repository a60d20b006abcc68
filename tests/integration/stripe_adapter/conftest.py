from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from adapters.stripe import StripeBillingProvider, StripeSettings, open_stripe_client
from adapters.stripe.metered_http_client import MeteredHTTPXClient

from .fake_stripe import FakeStripe

API_KEY = "sk_test_51FakeKeyThatMustNeverLeak0123456789"


@pytest.fixture(scope="session")
def fake_stripe_server() -> Iterator[FakeStripe]:
    server = FakeStripe()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fake_stripe(fake_stripe_server: FakeStripe) -> Iterator[FakeStripe]:
    fake_stripe_server.reset()
    yield fake_stripe_server
    assert fake_stripe_server.unused_replies() == [], "the adapter skipped some Stripe calls"


def settings_for(base: str, *, retries: int = 0) -> StripeSettings:
    return StripeSettings(api_key=API_KEY, api_base=base, max_network_retries=retries)


@pytest.fixture
async def provider(fake_stripe: FakeStripe) -> AsyncIterator[StripeBillingProvider]:
    async with open_stripe_client(settings_for(fake_stripe.url)) as client:
        yield StripeBillingProvider(client)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The backoffs asked for, without waiting them out."""
    asked: list[float] = []

    async def no_wait(_client: Any, seconds: float) -> None:
        asked.append(seconds)

    monkeypatch.setattr(MeteredHTTPXClient, "sleep_async", no_wait)
    return asked
