"""Deep-link flows: the session shows that flow only, then honours ``after_completion``."""

from __future__ import annotations

from typing import Any

import stripe

from stripe_sandbox.testing import RunningSandbox

from .portal_support import PortalBrowser, events_since, last_event_id, portal_for


def flow(kind: str, after: dict[str, Any], **details: Any) -> dict[str, Any]:
    return {"flow_data": {"type": kind, "after_completion": after, **details}}


def test_cancel_flow_shows_only_the_cancellation_and_redirects(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer, sub, first = portal_for(client, plans)
    after = {"type": "redirect", "redirect": {"return_url": "https://app.example/bye"}}
    session = client.v1.billing_portal.sessions.create(
        params={
            "customer": customer.id,
            "configuration": first.configuration,
            **flow("subscription_cancel", after, subscription_cancel={"subscription": sub.id}),
        }  # type: ignore[arg-type]
    )
    browser = PortalBrowser(sandbox, session.url)
    browser.get()
    assert browser.testid("confirm-cancel") == ["Cancel plan"]
    for absent in ("change-plan", "add-card", "invoice-link", "billing-details"):
        assert browser.testid(absent) == [], absent
    assert browser.get("/payment-methods/new").status_code == 404
    browser.get()
    marker = last_event_id(client)
    done = browser.post(f"/subscriptions/{sub.id}/cancel", {"reason": "other"})
    assert done.status_code == 303
    assert done.headers["location"] == "https://app.example/bye"
    assert client.v1.subscriptions.retrieve(sub.id).cancel_at_period_end is True
    assert [e.type for e in events_since(client, marker)] == ["customer.subscription.updated"]


def test_payment_method_flow_ends_on_a_hosted_confirmation(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    after = {"type": "hosted_confirmation", "hosted_confirmation": {"custom_message": "Thanks!"}}
    customer, sub, session = portal_for(client, plans, session=flow("payment_method_update", after))
    browser = PortalBrowser(sandbox, session.url)
    browser.get()
    assert 'data-testid="card-number"' in browser.page
    assert browser.testid("portal-plan") == []
    assert browser.post(f"/subscriptions/{sub.id}/cancel", {"reason": "other"}).status_code == 404
    browser.get()
    done = browser.post(
        "/payment-methods", {"card_number": "4242424242424242", "expiry": "1/40", "cvc": "999"}
    )
    browser.follow(done)
    assert browser.testid("confirmation-message") == ["Thanks!"]
    browser.get()
    assert browser.testid("confirmation-message") == ["Thanks!"]
    cards = client.v1.payment_methods.list(params={"customer": customer.id}).data
    assert len(cards) == 2


def test_update_confirm_flow_previews_the_given_items_then_opens_the_homepage(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer, sub, first = portal_for(client, plans)
    item = client.v1.subscriptions.retrieve(sub.id)["items"].data[0]
    confirm = {
        "subscription": sub.id,
        "items": [{"id": item.id, "price": plans["pro_monthly"].id, "quantity": 1}],
    }
    session = client.v1.billing_portal.sessions.create(
        params={
            "customer": customer.id,
            "configuration": first.configuration,
            **flow(
                "subscription_update_confirm",
                {"type": "portal_homepage"},
                subscription_update_confirm=confirm,
            ),
        }  # type: ignore[arg-type]
    )
    browser = PortalBrowser(sandbox, session.url)
    browser.get()
    assert browser.testid("new-plan") == ["Pro"]
    assert browser.testid("cancel-subscription") == []
    preview_next = browser.amount("next-invoice")
    import re

    hidden = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', browser.page))
    browser.follow(browser.post(f"/subscriptions/{sub.id}/update", hidden))
    assert browser.testid("flash-message") == ["Your plan has been updated."]
    assert browser.testid("portal-plan") == ["Pro"]
    assert browser.testid("cancel-subscription") == ["Cancel plan"]  # the full homepage now
    sandbox.store.advance(days=32)
    renewal = client.v1.invoices.list(params={"subscription": sub.id, "limit": 1}).data[0]
    assert renewal.amount_due == preview_next
