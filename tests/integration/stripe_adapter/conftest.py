from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from adapters.stripe import StripeBillingProvider, StripeSettings, open_stripe_client

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
