"""Opt-in: the project's Stripe adapter against Stripe's real TEST mode.

Runs only when ``STRIPE_SECRET_KEY`` is a test key (``sk_test_...``); it is the one suite that
leaves loopback. Everything it creates is tagged ``metadata[billing_portal_live_test]`` and
cleaned up (subscriptions canceled, customers deleted, prices and products archived,
configurations deactivated).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import stripe

from adapters.stripe import StripeBillingProvider, StripeSettings, open_stripe_client
from application.errors import BillingAccountGone, ProviderMisconfigured
from application.ports.billing_provider import PortalSessionRequest
from domain.portal_flow import FlowType, PortalFlow
from domain.subscription import SubscriptionStatus

KEY = os.environ.get("STRIPE_SECRET_KEY", "")
pytestmark = [
    pytest.mark.stripe_live,
    pytest.mark.skipif(
        not KEY.startswith("sk_test_"),
        reason="opt-in: set STRIPE_SECRET_KEY=sk_test_... to run against Stripe's test mode",
    ),
]
TAG = {"billing_portal_live_test": uuid.uuid4().hex[:12]}


@pytest.fixture
async def client() -> AsyncIterator[stripe.StripeClient]:
    async with open_stripe_client(StripeSettings(api_key=KEY, max_network_retries=2)) as c:
        yield c


@pytest.fixture
async def subscribed(client: stripe.StripeClient) -> AsyncIterator[dict[str, Any]]:
    """A customer with a card and an active monthly subscription, removed afterwards."""
    v1 = client.v1
    product = await v1.products.create_async({"name": "billing-portal live test", "metadata": TAG})
    price = await v1.prices.create_async(
        {
            "product": product.id,
            "currency": "usd",
            "unit_amount": 500,
            "recurring": {"interval": "month"},
            "metadata": TAG,
        }
    )
    customer = await v1.customers.create_async(
        {"email": "live-test@example.com", "payment_method": "pm_card_visa", "metadata": TAG}
    )
    methods = await v1.payment_methods.list_async({"customer": customer.id, "type": "card"})
    card = methods.data[0].id
    await v1.customers.update_async(
        customer.id, {"invoice_settings": {"default_payment_method": card}}
    )
    sub = await v1.subscriptions.create_async(
        {"customer": customer.id, "items": [{"price": price.id}], "metadata": TAG}
    )
    try:
        yield {"customer": customer.id, "price": price.id, "subscription": sub.id}
    finally:
        await v1.subscriptions.cancel_async(sub.id)
        await v1.customers.delete_async(customer.id)
        await v1.prices.update_async(price.id, {"active": False})
        await v1.products.update_async(product.id, {"active": False})


async def test_subscriptions_are_read_with_their_items_periods(
    client: stripe.StripeClient, subscribed: dict[str, Any]
) -> None:
    [sub] = await StripeBillingProvider(client).list_subscriptions(subscribed["customer"])

    assert sub.id == subscribed["subscription"]
    assert sub.status is SubscriptionStatus.ACTIVE
    assert [i.price_id for i in sub.items] == [subscribed["price"]]
    assert sub.current_period_end is not None
    assert sub.current_period_start is not None
    assert sub.current_period_start < sub.current_period_end


async def test_a_configuration_is_created_used_for_a_session_and_deactivated(
    client: stripe.StripeClient, subscribed: dict[str, Any]
) -> None:
    provider = StripeBillingProvider(client)
    params = {
        "business_profile": {"headline": "billing-portal live test"},
        "features": {
            "invoice_history": {"enabled": True},
            "payment_method_update": {"enabled": True},
        },
        "metadata": TAG,
    }
    key = f"live-test-{uuid.uuid4().hex}"
    created = await provider.create_configuration(params, idempotency_key=key)
    replayed = await provider.create_configuration(params, idempotency_key=key)
    try:
        assert replayed.id == created.id
        assert created.active
        assert not created.is_default
        assert created.metadata["billing_portal_live_test"] == TAG["billing_portal_live_test"]
        listed = {c.id for c in await provider.list_configurations()}
        assert created.id in listed

        session = await provider.create_portal_session(
            PortalSessionRequest(
                customer_id=subscribed["customer"],
                configuration_id=created.id,
                return_url="https://example.com/billing?action=portal_return",
                flow=PortalFlow(FlowType.PAYMENT_METHOD_UPDATE),
                locale="auto",
            )
        )
        assert session.url.startswith("https://billing.stripe.com/")
    finally:
        deactivated = await provider.update_configuration(
            created.id, {"active": False}, idempotency_key=f"{key}-off"
        )
    assert not deactivated.active


async def test_errors_are_translated(client: stripe.StripeClient) -> None:
    with pytest.raises(BillingAccountGone):
        await StripeBillingProvider(client).list_subscriptions("cus_doesnotexist000000")

    async with open_stripe_client(StripeSettings(api_key="sk_test_" + "0" * 24)) as bad:
        with pytest.raises(ProviderMisconfigured) as raised:
            await StripeBillingProvider(bad).list_configurations()
    assert "sk_test_" not in raised.value.message
