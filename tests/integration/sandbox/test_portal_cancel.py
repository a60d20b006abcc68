"""Cancelling in the portal: at period end with a reason, immediately, and undoing it."""

from __future__ import annotations

from typing import Any

import stripe

from stripe_sandbox.testing import RunningSandbox

from .portal_support import PortalBrowser, events_since, last_event_id, portal_for

REASONS = {"enabled": True, "options": ["too_expensive", "other"]}
REQUIRED = {"cancellation_reason_required": "true"}


def test_cancel_at_period_end_with_a_required_reason_then_renew(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    _, sub, session = portal_for(client, plans, metadata=REQUIRED)
    browser = PortalBrowser(sandbox, session.url)
    browser.get(f"/subscriptions/{sub.id}/cancel")
    assert "until the end of your billing period" in browser.testid("cancel-summary")[0]
    assert browser.page.count('name="reason"') == browser.page.count(" required") == 2
    assert browser.testid("reason-optional") == []
    marker = last_event_id(client)
    missing = browser.post(f"/subscriptions/{sub.id}/cancel", {})
    assert missing.status_code == 400
    assert browser.testid("flash-message", missing.text) == [
        "Please tell us why you are cancelling."
    ]
    assert last_event_id(client) == marker
    done = browser.post(
        f"/subscriptions/{sub.id}/cancel", {"reason": "too_expensive", "comment": "pricey"}
    )
    browser.follow(done)
    assert browser.testid("flash-message")[0].startswith("Your subscription will be canceled")
    assert browser.testid("plan-renewal")[0].startswith("Cancels on ")
    assert browser.testid("cancel-subscription") == []
    canceled = client.v1.subscriptions.retrieve(sub.id)
    assert canceled.cancel_at_period_end is True
    assert canceled.cancellation_details.feedback == "too_expensive"
    assert canceled.cancellation_details.comment == "pricey"
    (event,) = events_since(client, marker)
    assert event.type == "customer.subscription.updated"
    assert event.data.previous_attributes["cancel_at_period_end"] is False

    marker = event.id
    browser.follow(browser.post(f"/subscriptions/{sub.id}/renew"))
    assert browser.testid("flash-message") == ["Your subscription will renew as usual."]
    assert browser.testid("plan-renewal")[0].startswith("Renews on ")
    assert client.v1.subscriptions.retrieve(sub.id).cancel_at_period_end is False
    (renewed,) = events_since(client, marker)
    assert renewed.type == "customer.subscription.updated"
    assert renewed.data.previous_attributes["cancel_at_period_end"] is True


def test_the_cancellation_survey_can_be_skipped_unless_required(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    _, sub, session = portal_for(client, plans)  # reasons enabled, nothing in metadata
    browser = PortalBrowser(sandbox, session.url)
    browser.get(f"/subscriptions/{sub.id}/cancel")
    assert browser.testid("cancel-reasons") != []
    assert browser.testid("reason-optional") == ["(optional)"]
    assert " required" not in browser.page
    marker = last_event_id(client)
    browser.follow(browser.post(f"/subscriptions/{sub.id}/cancel", {"comment": ""}))
    assert browser.testid("flash-message")[0].startswith("Your subscription will be canceled")
    canceled = client.v1.subscriptions.retrieve(sub.id)
    assert canceled.cancel_at_period_end is True
    assert (canceled.cancellation_details.feedback, canceled.cancellation_details.comment) == (
        None,
        None,
    )
    (event,) = events_since(client, marker)
    assert event.type == "customer.subscription.updated"
    assert event.data.previous_attributes["cancel_at_period_end"] is False


def test_cancel_immediately_without_reasons(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    cancel = {"enabled": True, "mode": "immediately", "cancellation_reason": {"enabled": False}}
    _, sub, session = portal_for(client, plans, subscription_cancel=cancel)
    browser = PortalBrowser(sandbox, session.url)
    browser.get(f"/subscriptions/{sub.id}/cancel")
    assert browser.testid("cancel-summary")[0].startswith("Your subscription will be canceled")
    assert 'data-testid="cancel-reasons"' not in browser.page
    marker = last_event_id(client)
    browser.follow(browser.post(f"/subscriptions/{sub.id}/cancel"))
    assert browser.testid("flash-message") == ["Your subscription has been canceled."]
    assert browser.testid("portal-plan") == []
    assert client.v1.subscriptions.retrieve(sub.id).status == "canceled"
    assert [e.type for e in events_since(client, marker)] == ["customer.subscription.deleted"]


def test_a_reason_outside_the_options_is_refused(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    cancel = {"enabled": True, "mode": "at_period_end", "cancellation_reason": REASONS}
    _, sub, session = portal_for(client, plans, subscription_cancel=cancel)
    browser = PortalBrowser(sandbox, session.url)
    browser.get(f"/subscriptions/{sub.id}/cancel")
    refused = browser.post(f"/subscriptions/{sub.id}/cancel", {"reason": "unused"})
    assert refused.status_code == 400
    assert client.v1.subscriptions.retrieve(sub.id).cancel_at_period_end is False


def test_cancel_immediately_with_prorations_credits_unused_time(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    cancel = {
        "enabled": True,
        "mode": "immediately",
        "proration_behavior": "create_prorations",
        "cancellation_reason": {"enabled": False},
    }
    customer, sub, session = portal_for(
        client, plans, sandbox=sandbox, age_days=10, subscription_cancel=cancel
    )
    browser = PortalBrowser(sandbox, session.url)
    browser.get(f"/subscriptions/{sub.id}/cancel")
    assert "Unused time is credited to your balance." in browser.testid("cancel-summary")[0]
    marker = last_event_id(client)
    browser.follow(browser.post(f"/subscriptions/{sub.id}/cancel"))
    ended = client.v1.subscriptions.retrieve(sub.id)
    assert ended.status == "canceled"
    final = client.v1.invoices.retrieve(str(ended.latest_invoice))
    assert -900 < final.total < 0
    assert final.amount_due == 0
    assert client.v1.customers.retrieve(customer.id).balance == final.total
    assert [e.type for e in events_since(client, marker)] == [
        "customer.subscription.deleted",
        "invoice.created",
        "invoice.finalized",
        "invoice.paid",
        "invoice.payment_succeeded",
    ]
