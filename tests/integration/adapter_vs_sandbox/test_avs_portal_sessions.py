"""``create_portal_session`` (and ``create_configuration``) against the seeded sandbox.

Each deep-link flow is sent the way the adapter builds it; the sandbox must record it as
Stripe would, and serve the session's URL.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from avs_support import prices_by_lookup_key

from adapters.stripe import StripeBillingProvider
from application.ports.billing_provider import PortalSessionRequest
from domain.portal_flow import FlowType, PortalFlow
from stripe_sandbox.seed import DemoRecord
from stripe_sandbox.testing import RunningSandbox

RETURN_URL = "http://app.example/billing?action=portal_return"
# What the sandbox's hosted portal shows first for each deep link.
SCREENS = {
    FlowType.PAYMENT_METHOD_UPDATE: "Add a payment method",
    FlowType.SUBSCRIPTION_CANCEL: "Cancel your plan",
    FlowType.SUBSCRIPTION_UPDATE: "Update your plan",
    FlowType.SUBSCRIPTION_UPDATE_CONFIRM: "Confirm your new plan",
}


async def _full_configuration(provider: StripeBillingProvider, sandbox: RunningSandbox) -> str:
    prices = prices_by_lookup_key(sandbox.store)
    created = await provider.create_configuration(
        {
            "business_profile": {"headline": "Adapter vs sandbox"},
            "features": {
                "invoice_history": {"enabled": True},
                "payment_method_update": {"enabled": True},
                "subscription_cancel": {"enabled": True, "mode": "at_period_end"},
                "subscription_update": {
                    "enabled": True,
                    "default_allowed_updates": ["price", "quantity"],
                    "proration_behavior": "create_prorations",
                    "products": [
                        {
                            "product": prices["basic_monthly"]["product"],
                            "prices": [prices["basic_monthly"]["id"], prices["basic_yearly"]["id"]],
                        },
                        {
                            "product": prices["pro_monthly"]["product"],
                            "prices": [prices["pro_monthly"]["id"], prices["pro_yearly"]["id"]],
                        },
                    ],
                },
            },
        },
        idempotency_key="avs-full-configuration",
    )
    assert created.active
    products = created.fields["features"]["subscription_update"]["products"]  # type: ignore[index]
    assert [p["product"] for p in products] == [
        prices["basic_monthly"]["product"],
        prices["pro_monthly"]["product"],
    ]
    return created.id


def _stored_session(sandbox: RunningSandbox, session_id: str) -> tuple[dict[str, Any], Any]:
    state = sandbox.store.snapshot()
    return state.table("billing_portal.session")[session_id], state.sessions[session_id]


async def _served(url: str) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.get(url)


@pytest.mark.parametrize(
    "flow_type",
    [
        FlowType.PAYMENT_METHOD_UPDATE,
        FlowType.SUBSCRIPTION_CANCEL,
        FlowType.SUBSCRIPTION_UPDATE,
        FlowType.SUBSCRIPTION_UPDATE_CONFIRM,
    ],
)
async def test_each_flow_opens_a_session_the_sandbox_records_and_serves(
    flow_type: FlowType,
    provider: StripeBillingProvider,
    sandbox: RunningSandbox,
    demo: dict[str, DemoRecord],
) -> None:
    configuration = await _full_configuration(provider, sandbox)
    customer = demo["user_b2c"].customer_id
    (sub,) = await provider.list_subscriptions(customer)
    target = prices_by_lookup_key(sandbox.store)["pro_monthly"]["id"]
    if flow_type is FlowType.PAYMENT_METHOD_UPDATE:
        flow = PortalFlow(flow_type)
    elif flow_type is FlowType.SUBSCRIPTION_UPDATE_CONFIRM:
        flow = PortalFlow(
            flow_type, subscription_id=sub.id, item_id=sub.items[0].id, price_id=target
        )
    else:
        flow = PortalFlow(flow_type, subscription_id=sub.id)

    session = await provider.create_portal_session(
        PortalSessionRequest(customer, configuration, RETURN_URL, flow=flow, locale="de")
    )

    stored, secret = _stored_session(sandbox, session.id)
    assert session.url == stored["url"]
    assert session.url.startswith(f"{sandbox.url}/p/session/")
    assert stored["customer"] == customer
    assert stored["configuration"] == configuration
    assert stored["locale"] == "de"
    assert stored["return_url"] == RETURN_URL
    recorded = stored["flow"]
    assert recorded["type"] == flow_type.value
    assert recorded["after_completion"] == {
        "type": "redirect",
        "redirect": {"return_url": RETURN_URL},
        "hosted_confirmation": None,
    }
    if flow_type is FlowType.SUBSCRIPTION_CANCEL:
        assert recorded["subscription_cancel"]["subscription"] == sub.id
    elif flow_type is FlowType.SUBSCRIPTION_UPDATE:
        assert recorded["subscription_update"] == {"subscription": sub.id}
    elif flow_type is FlowType.SUBSCRIPTION_UPDATE_CONFIRM:
        confirm = recorded["subscription_update_confirm"]
        assert confirm["subscription"] == sub.id
        assert confirm["items"] == [{"id": sub.items[0].id, "price": target}]
    assert secret["flow_data"]["type"] == flow_type.value
    page = await _served(session.url)
    assert page.status_code == 200
    assert SCREENS[flow_type] in page.text
    assert f'href="{RETURN_URL}" data-testid="return-link"' in page.text
    assert "Adapter vs sandbox" in page.text  # the session's configuration's headline
    if flow.subscription_id is not None:
        assert f'data-subscription="{sub.id}"' in page.text or sub.id in page.text
    created_events = [
        e
        for e in sandbox.store.snapshot().table("event").values()
        if e["type"] == "billing_portal.session.created"
    ]
    assert [e["data"]["object"]["id"] for e in created_events] == [session.id]


async def test_a_confirm_flow_carries_the_new_quantity(
    provider: StripeBillingProvider, sandbox: RunningSandbox, demo: dict[str, DemoRecord]
) -> None:
    configuration = await _full_configuration(provider, sandbox)
    customer = demo["user_b2b"].customer_id
    (sub,) = await provider.list_subscriptions(customer)
    flow = PortalFlow(
        FlowType.SUBSCRIPTION_UPDATE_CONFIRM,
        subscription_id=sub.id,
        item_id=sub.items[0].id,
        price_id=sub.items[0].price_id,
        quantity=7,
    )

    session = await provider.create_portal_session(
        PortalSessionRequest(customer, configuration, RETURN_URL, flow=flow)
    )

    stored, secret = _stored_session(sandbox, session.id)
    assert stored["locale"] is None
    # Stripe's session object shows only id and price per item; the sandbox keeps the
    # request's flow_data (form-decoded, so strings) for its hosted portal.
    (item,) = secret["flow_data"]["subscription_update_confirm"]["items"]
    assert (item["id"], item["price"], str(item["quantity"])) == (
        sub.items[0].id,
        sub.items[0].price_id,
        "7",
    )
    page = await _served(session.url)
    assert page.status_code == 200
    assert 'name="quantity" value="7"' in page.text


async def test_a_session_without_a_flow_opens_the_portal_home(
    provider: StripeBillingProvider, sandbox: RunningSandbox, demo: dict[str, DemoRecord]
) -> None:
    configuration = await _full_configuration(provider, sandbox)
    customer = demo["user_b2c"].customer_id

    session = await provider.create_portal_session(
        PortalSessionRequest(customer, configuration, RETURN_URL, locale="fr-CA")
    )

    stored, _ = _stored_session(sandbox, session.id)
    assert stored["flow"] is None
    assert (stored["configuration"], stored["locale"], stored["return_url"]) == (
        configuration,
        "fr-CA",
        RETURN_URL,
    )
    assert (await _served(session.url)).status_code == 200


async def test_every_session_is_new_and_has_its_own_url(
    provider: StripeBillingProvider, sandbox: RunningSandbox, demo: dict[str, DemoRecord]
) -> None:
    """The adapter's idempotency key is per call: two opens are two sessions."""
    configuration = await _full_configuration(provider, sandbox)
    request = PortalSessionRequest(demo["user_b2c"].customer_id, configuration, RETURN_URL)

    first = await provider.create_portal_session(request)
    second = await provider.create_portal_session(request)

    assert first.id != second.id
    assert first.url != second.url
    assert len(sandbox.store.snapshot().table("billing_portal.session")) == 2


async def test_a_confirm_flow_naming_its_price_by_lookup_key_targets_that_price(
    provider: StripeBillingProvider, sandbox: RunningSandbox, demo: dict[str, DemoRecord]
) -> None:
    configuration = await _full_configuration(provider, sandbox)
    customer = demo["user_b2c"].customer_id
    (sub,) = await provider.list_subscriptions(customer)
    flow = PortalFlow(
        FlowType.SUBSCRIPTION_UPDATE_CONFIRM,
        subscription_id=sub.id,
        item_id=sub.items[0].id,
        price_lookup_key="pro_yearly",
    )

    session = await provider.create_portal_session(
        PortalSessionRequest(customer, configuration, RETURN_URL, flow=flow)
    )

    stored, _ = _stored_session(sandbox, session.id)
    pro_yearly = prices_by_lookup_key(sandbox.store)["pro_yearly"]["id"]
    assert stored["flow"]["subscription_update_confirm"]["items"] == [
        {"id": sub.items[0].id, "price": pro_yearly}
    ]
