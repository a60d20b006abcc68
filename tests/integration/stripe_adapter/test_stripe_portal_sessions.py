"""Creating portal sessions: the exact parameters for each deep-link flow."""

from __future__ import annotations

import pytest

from adapters.stripe import StripeBillingProvider
from application.ports.billing_provider import PortalSession, PortalSessionRequest
from domain.portal_flow import FlowType, PortalFlow

from .fake_stripe import FakeStripe
from .stripe_objects import example

PATH = "/v1/billing_portal/sessions"
RETURN_URL = "https://app.example.com/billing?action=portal_return"
SESSION_URL = "https://billing.stripe.com/p/session/test_abc"
BASE = {"customer": "cus_123", "configuration": "bpc_b2c", "return_url": RETURN_URL}
AFTER = {
    "flow_data[after_completion][type]": "redirect",
    "flow_data[after_completion][redirect][return_url]": RETURN_URL,
}


def request_for(flow: PortalFlow | None = None, locale: str | None = None) -> PortalSessionRequest:
    return PortalSessionRequest("cus_123", "bpc_b2c", RETURN_URL, flow=flow, locale=locale)


def reply_session(fake_stripe: FakeStripe) -> None:
    fake_stripe.reply("POST", PATH, example("billing_portal.session", id="bps_1", url=SESSION_URL))


async def test_opens_a_plain_session_and_returns_its_url(
    provider: StripeBillingProvider, fake_stripe: FakeStripe
) -> None:
    reply_session(fake_stripe)

    session = await provider.create_portal_session(request_for())

    assert session == PortalSession(id="bps_1", url=SESSION_URL)
    [sent] = fake_stripe.requests
    assert (sent.method, sent.path, sent.params) == ("POST", PATH, BASE)


async def test_passes_the_locale_when_given(
    provider: StripeBillingProvider, fake_stripe: FakeStripe
) -> None:
    reply_session(fake_stripe)

    await provider.create_portal_session(request_for(locale="fr-CA"))

    assert fake_stripe.requests[0].params == {**BASE, "locale": "fr-CA"}


@pytest.mark.parametrize(
    ("flow", "flow_params"),
    [
        (
            PortalFlow(FlowType.PAYMENT_METHOD_UPDATE),
            {"flow_data[type]": "payment_method_update"},
        ),
        (
            PortalFlow(FlowType.SUBSCRIPTION_CANCEL, subscription_id="sub_1"),
            {
                "flow_data[type]": "subscription_cancel",
                "flow_data[subscription_cancel][subscription]": "sub_1",
            },
        ),
        (
            PortalFlow(FlowType.SUBSCRIPTION_UPDATE, subscription_id="sub_1"),
            {
                "flow_data[type]": "subscription_update",
                "flow_data[subscription_update][subscription]": "sub_1",
            },
        ),
        (
            PortalFlow(
                FlowType.SUBSCRIPTION_UPDATE_CONFIRM,
                subscription_id="sub_1",
                item_id="si_1",
                price_id="price_pro",
                quantity=3,
            ),
            {
                "flow_data[type]": "subscription_update_confirm",
                "flow_data[subscription_update_confirm][subscription]": "sub_1",
                "flow_data[subscription_update_confirm][items][0][id]": "si_1",
                "flow_data[subscription_update_confirm][items][0][price]": "price_pro",
                "flow_data[subscription_update_confirm][items][0][quantity]": "3",
            },
        ),
        (
            PortalFlow(
                FlowType.SUBSCRIPTION_UPDATE_CONFIRM,
                subscription_id="sub_1",
                item_id="si_1",
                price_id="price_pro",
            ),
            {
                "flow_data[type]": "subscription_update_confirm",
                "flow_data[subscription_update_confirm][subscription]": "sub_1",
                "flow_data[subscription_update_confirm][items][0][id]": "si_1",
                "flow_data[subscription_update_confirm][items][0][price]": "price_pro",
            },
        ),
    ],
    ids=["payment_method_update", "cancel", "update", "update_confirm", "confirm_same_quantity"],
)
async def test_deep_links_redirect_back_to_the_return_url(
    provider: StripeBillingProvider,
    fake_stripe: FakeStripe,
    flow: PortalFlow,
    flow_params: dict[str, str],
) -> None:
    reply_session(fake_stripe)

    await provider.create_portal_session(request_for(flow))

    assert fake_stripe.requests[0].params == {**BASE, **AFTER, **flow_params}


async def test_each_session_request_carries_its_own_idempotency_key(
    provider: StripeBillingProvider, fake_stripe: FakeStripe
) -> None:
    reply_session(fake_stripe)
    reply_session(fake_stripe)

    await provider.create_portal_session(request_for())
    await provider.create_portal_session(request_for())

    keys = [r.headers.get("idempotency-key") for r in fake_stripe.requests]
    assert all(keys)
    assert keys[0] != keys[1]
