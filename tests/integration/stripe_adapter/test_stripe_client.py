"""The client: pinned version, our key, our base address, retries with one idempotency key."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.stripe import StripeBillingProvider, StripeSettings, open_stripe_client
from application.ports.billing_provider import PortalSessionRequest

from .conftest import API_KEY, settings_for
from .fake_stripe import FakeStripe
from .stripe_objects import example, stripe_error, stripe_list


async def test_sends_the_pinned_version_and_the_key_to_the_configured_base(
    fake_stripe: FakeStripe,
) -> None:
    fake_stripe.reply("GET", "/v1/subscriptions", stripe_list([], "/v1/subscriptions"))
    settings = StripeSettings(
        api_key=API_KEY, api_base=f"{fake_stripe.url}/", max_network_retries=0
    )

    async with open_stripe_client(settings) as client:
        await StripeBillingProvider(client).list_subscriptions("cus_123")

    [sent] = fake_stripe.requests
    assert sent.headers["stripe-version"] == "2026-10-28.endive"
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"


async def test_a_retried_post_reuses_its_idempotency_key(fake_stripe: FakeStripe) -> None:
    path = "/v1/billing_portal/sessions"
    failure = stripe_error("Something went wrong on Stripe's end.", type="api_error")
    fake_stripe.reply("POST", path, failure, status=500, headers={"Stripe-Should-Retry": "true"})
    fake_stripe.reply("POST", path, example("billing_portal.session", id="bps_retried"))
    request = PortalSessionRequest("cus_123", "bpc_b2c", "https://app.example.com/billing")

    async with open_stripe_client(settings_for(fake_stripe.url, retries=1)) as client:
        session = await StripeBillingProvider(client).create_portal_session(request)

    assert session.id == "bps_retried"
    first, retry = fake_stripe.requests
    assert first.headers["idempotency-key"] == retry.headers["idempotency-key"]
    assert first.params == retry.params


def test_settings_never_show_the_key() -> None:
    settings = StripeSettings(api_key=API_KEY)

    assert API_KEY not in repr(settings)
    assert API_KEY not in str(settings)


@pytest.mark.parametrize(
    ("bad", "complaint"),
    [
        ({"api_key": " "}, "key is empty"),
        ({"timeout_seconds": 0}, "timeout must be positive"),
        ({"max_network_retries": -1}, "retries must be zero or more"),
    ],
    ids=["empty_key", "no_timeout", "negative_retries"],
)
def test_settings_refuse_unusable_values(bad: dict[str, Any], complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        StripeSettings(**{"api_key": API_KEY, **bad})
