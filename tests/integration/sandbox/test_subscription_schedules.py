"""Subscription schedules over the API: from a subscription, a next phase, the clock
applying it at renewal, release, and cancellation with the subscription."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from stripe_sandbox.testing import RunningSandbox

from .conftest import new_customer
from .portal_support import events_since, last_event_id


def scheduled_downgrade(client: stripe.StripeClient, plans: dict[str, Any]) -> tuple[Any, Any]:
    """A Pro monthly subscription with Basic scheduled from its next period."""
    customer = new_customer(client)
    sub = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": plans["pro_monthly"].id}]}
    )
    schedule = client.v1.subscription_schedules.create(params={"from_subscription": sub.id})
    current = schedule.phases[0]
    schedule = client.v1.subscription_schedules.update(
        schedule.id,
        params={
            "end_behavior": "release",
            "phases": [
                {
                    "items": [{"price": plans["pro_monthly"].id, "quantity": 1}],
                    "start_date": current.start_date,
                    "end_date": current.end_date,
                },
                {
                    "items": [{"price": plans["basic_monthly"].id, "quantity": 1}],
                    "iterations": 1,
                    "proration_behavior": "none",
                },
            ],
        },
    )
    return sub, schedule


def test_a_schedule_from_a_subscription_points_both_ways(
    client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer = new_customer(client)
    sub = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": plans["pro_monthly"].id}]}
    )
    marker = last_event_id(client)
    schedule = client.v1.subscription_schedules.create(params={"from_subscription": sub.id})
    assert schedule.id.startswith("sub_sched_")
    assert (schedule.status, schedule.subscription, schedule.customer) == (
        "active",
        sub.id,
        customer.id,
    )
    (phase,) = schedule.phases
    period = sub["items"].data[0]
    assert (phase.start_date, phase.end_date) == (
        period.current_period_start,
        period.current_period_end,
    )
    assert [(i.price, i.quantity) for i in phase["items"]] == [(plans["pro_monthly"].id, 1)]
    assert client.v1.subscriptions.retrieve(sub.id).schedule == schedule.id
    events = events_since(client, marker)
    assert [e.type for e in events] == [
        "subscription_schedule.created",
        "customer.subscription.updated",
    ]
    assert events[1].data.previous_attributes.to_dict() == {"schedule": None}
    assert client.v1.subscription_schedules.retrieve(schedule.id).id == schedule.id
    listed = client.v1.subscription_schedules.list(params={"customer": customer.id}).data
    assert [s.id for s in listed] == [schedule.id]
    expanded = client.v1.subscriptions.retrieve(sub.id, params={"expand": ["schedule"]})
    assert expanded.schedule.id == schedule.id
    with pytest.raises(stripe.InvalidRequestError, match="already attached to a schedule"):
        client.v1.subscription_schedules.create(params={"from_subscription": sub.id})
    with pytest.raises(stripe.InvalidRequestError, match="managed by the subscription schedule"):
        client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": True})


def test_the_clock_applies_the_next_phase_at_renewal_and_completes_the_schedule(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    sub, schedule = scheduled_downgrade(client, plans)
    first, second = schedule.phases
    assert second.start_date == first.end_date
    assert second.end_date > second.start_date
    sandbox.store.advance(days=10)
    assert client.v1.subscriptions.retrieve(sub.id)["items"].data[0].price.id == (
        plans["pro_monthly"].id
    )
    marker = last_event_id(client)
    sandbox.store.advance(days=25)
    renewed = client.v1.subscriptions.retrieve(sub.id, params={"expand": ["latest_invoice"]})
    assert renewed["items"].data[0].price.id == plans["basic_monthly"].id
    assert renewed.schedule is None
    assert renewed.latest_invoice.amount_paid == 900
    events = events_since(client, marker)
    types = [e.type for e in events]
    assert types[-2:] == ["customer.subscription.updated", "subscription_schedule.completed"]
    previous = events[-2].data.previous_attributes
    assert previous["schedule"] == schedule.id
    assert previous["items"].data[0].price.id == plans["pro_monthly"].id
    done = client.v1.subscription_schedules.retrieve(schedule.id)
    assert (done.status, done.completed_at) == ("completed", first.end_date)
    sandbox.store.advance(days=31)
    assert client.v1.subscriptions.retrieve(sub.id)["items"].data[0].price.id == (
        plans["basic_monthly"].id
    )


def test_release_detaches_and_the_subscription_renews_unchanged(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    sub, schedule = scheduled_downgrade(client, plans)
    marker = last_event_id(client)
    released = client.v1.subscription_schedules.release(schedule.id)
    assert (released.status, released.released_subscription, released.subscription) == (
        "released",
        sub.id,
        None,
    )
    events = events_since(client, marker)
    assert [e.type for e in events] == [
        "subscription_schedule.released",
        "customer.subscription.updated",
    ]
    assert events[1].data.previous_attributes["schedule"] == schedule.id
    sandbox.store.advance(days=32)
    assert client.v1.subscriptions.retrieve(sub.id)["items"].data[0].price.id == (
        plans["pro_monthly"].id
    )


def test_canceling_the_subscription_cancels_its_schedule(
    client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    sub, schedule = scheduled_downgrade(client, plans)
    marker = last_event_id(client)
    client.v1.subscriptions.cancel(sub.id)
    assert [e.type for e in events_since(client, marker)] == [
        "customer.subscription.deleted",
        "subscription_schedule.canceled",
    ]
    assert client.v1.subscription_schedules.retrieve(schedule.id).status == "canceled"


def test_the_current_phase_cannot_be_rewritten(
    client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer = new_customer(client)
    sub = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": plans["pro_monthly"].id}]}
    )
    schedule = client.v1.subscription_schedules.create(params={"from_subscription": sub.id})
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.subscription_schedules.update(
            schedule.id,
            params={"phases": [{"items": [{"price": plans["basic_monthly"].id}]}]},
        )
    assert refused.value.param == "phases[0][items]"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.subscription_schedules.create(params={})
