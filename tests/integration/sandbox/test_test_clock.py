"""The test clock: renewals charge, failing cards go past_due, cancellations and trials end."""

from __future__ import annotations

from typing import Any

import httpx
import stripe

from stripe_sandbox.testing import RunningSandbox

from .conftest import new_customer


def event_types(client: stripe.StripeClient, since: int) -> list[str]:
    events = client.v1.events.list(params={"created": {"gte": since}, "limit": 100}).data
    return [e.type for e in reversed(events)]


def test_a_renewal_creates_finalizes_and_charges_an_invoice(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer = new_customer(client)
    sub = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": plans["basic_monthly"].id}]}
    )
    period_end = sub["items"].data[0].current_period_end
    sandbox.store.advance(days=31)
    renewed = client.v1.subscriptions.retrieve(sub.id, params={"expand": ["latest_invoice"]})
    assert renewed.status == "active"
    assert renewed["items"].data[0].current_period_start == period_end
    invoice = renewed.latest_invoice
    assert (invoice.billing_reason, invoice.status, invoice.amount_paid) == (
        "subscription_cycle",
        "paid",
        900,
    )
    assert event_types(client, period_end) == [
        "invoice.created",
        "invoice.finalized",
        "invoice.paid",
        "invoice.payment_succeeded",
        "customer.subscription.updated",
    ]
    updated = client.v1.events.list(params={"type": "customer.subscription.updated"}).data[0]
    assert "items" in updated.data.previous_attributes


def test_a_failing_card_makes_the_subscription_past_due(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer = new_customer(client)
    sub = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": plans["basic_monthly"].id}]}
    )
    failing = client.v1.payment_methods.attach(
        "pm_card_chargeCustomerFail", params={"customer": customer.id}
    )
    client.v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": failing.id}}
    )
    period_end = sub["items"].data[0].current_period_end
    sandbox.store.advance(days=31)
    assert client.v1.subscriptions.retrieve(sub.id).status == "past_due"
    assert "invoice.payment_failed" in event_types(client, period_end)
    assert "invoice.paid" not in event_types(client, period_end)


def test_a_scheduled_cancellation_ends_the_subscription_at_period_end(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer = new_customer(client)
    sub = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": plans["basic_monthly"].id}]}
    )
    client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": True})
    period_end = sub["items"].data[0].current_period_end
    sandbox.store.advance(days=10)
    assert client.v1.subscriptions.retrieve(sub.id).status == "active"
    sandbox.store.advance(days=25)
    ended = client.v1.subscriptions.retrieve(sub.id)
    assert ended.status == "canceled"
    assert ended.ended_at == period_end
    assert event_types(client, period_end) == ["customer.subscription.deleted"]
    assert len(client.v1.invoices.list(params={"subscription": sub.id}).data) == 1


def test_a_trial_ends_with_the_first_charge(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer = new_customer(client)
    sub = client.v1.subscriptions.create(
        params={
            "customer": customer.id,
            "items": [{"price": plans["pro_monthly"].id}],
            "trial_period_days": 7,
        }
    )
    sandbox.store.advance(days=8)
    after = client.v1.subscriptions.retrieve(sub.id, params={"expand": ["latest_invoice"]})
    assert after.status == "active"
    assert after["items"].data[0].current_period_start == sub.trial_end
    assert after.latest_invoice.amount_paid == 2900


def test_the_http_control_endpoint_moves_the_clock(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    before = httpx.get(f"{sandbox.url}/_sandbox/clock").json()["now"]
    moved = httpx.post(f"{sandbox.url}/_sandbox/advance", data={"days": "2", "seconds": "5"})
    assert moved.status_code == 200
    assert moved.json()["now"] - before >= 2 * 86400 + 5
    customer = client.v1.customers.create(params={"email": "later@example.com"})
    assert customer.created >= before + 2 * 86400 + 5
    refused = httpx.post(f"{sandbox.url}/_sandbox/advance", json={"days": -1})
    assert refused.status_code == 400


def test_trial_will_end_is_sent_three_days_before_the_trial_ends(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer = new_customer(client)
    sub = client.v1.subscriptions.create(
        params={
            "customer": customer.id,
            "items": [{"price": plans["pro_monthly"].id}],
            "trial_period_days": 14,
        }
    )
    warnings = {"type": "customer.subscription.trial_will_end"}
    sandbox.store.advance(days=10)
    assert client.v1.events.list(params=warnings).data == []
    sandbox.store.advance(days=1)
    (warning,) = client.v1.events.list(params=warnings).data
    assert warning.created == sub.trial_end - 3 * 86400
    assert (warning.data.object.id, warning.data.object.status) == (sub.id, "trialing")
    sandbox.store.advance(days=5)
    assert client.v1.subscriptions.retrieve(sub.id).status == "active"
    assert len(client.v1.events.list(params=warnings).data) == 1


def test_a_trial_shorter_than_three_days_is_warned_at_once(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer = new_customer(client)
    sub = client.v1.subscriptions.create(
        params={
            "customer": customer.id,
            "items": [{"price": plans["basic_monthly"].id}],
            "trial_period_days": 2,
        }
    )
    sandbox.store.advance(seconds=1)
    (warning,) = client.v1.events.list(params={"type": "customer.subscription.trial_will_end"}).data
    assert (warning.data.object.id, warning.created) == (sub.id, sub.trial_start)
