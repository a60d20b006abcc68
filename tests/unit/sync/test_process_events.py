from __future__ import annotations

import itertools

import pytest

from application.errors import ProviderUnavailable
from application.ports.event_inbox import EventStatus
from application.ports.outbox import OutboxStatus
from application.sync.settings import SyncSettings
from domain.subscription import SubscriptionStatus

from .builders import CUSTOMER, T0, customer, event, invoice, payment_method, subscription
from .conftest import World, make_world


async def test_the_same_event_five_times_changes_state_once_and_queues_one_email(
    world: World,
) -> None:
    payload = event(
        "customer.subscription.updated",
        subscription(price="price_pro"),
        event_id="evt_up",
        previous={"items": {"data": [{"price": {"id": "price_basic", "nickname": "Basic"}}]}},
    )
    stored = [await world.deliver(payload) for _ in range(5)]
    await world.drain()
    for _ in range(4):  # replays too
        await world.inbox.requeue("evt_up", now=world.clock.now())
        await world.drain()

    assert stored == [True, False, False, False, False]
    sub = world.mirror.subscriptions["sub_1"].subscription
    assert sub.price_ids() == {"price_pro"}
    [message] = world.outbox.messages.values()
    assert message.template == "plan_changed"
    assert message.to == "link@example.com"
    assert message.context["from_plan"] == "Basic"
    assert message.context["to_plan"] == "Pro"
    assert message.context["effective"] == "immediately"


def _lifecycle() -> list[dict]:
    return [
        event("customer.subscription.created", subscription(status="incomplete"), event_id="e1", created=T0),
        event("customer.subscription.updated", subscription(), event_id="e2", created=T0 + 10),
        event("customer.subscription.updated", subscription(price="price_pro"), event_id="e3", created=T0 + 20),
        event(
            "customer.subscription.deleted",
            subscription(price="price_pro", status="canceled", ended_at=T0 + 30),
            event_id="e4", created=T0 + 30,
        ),
    ]  # fmt: skip


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))))
async def test_every_delivery_order_ends_in_the_same_mirror_state(order: tuple[int, ...]) -> None:
    world = make_world()
    events = _lifecycle()
    for index in order:
        await world.deliver(events[index])
        await world.drain()

    sub = world.mirror.subscriptions["sub_1"].subscription
    assert sub.status is SubscriptionStatus.CANCELED
    assert sub.price_ids() == {"price_pro"}
    assert world.mirror.subscriptions["sub_1"].version.event_id == "e4"
    assert {m.template for m in world.outbox.messages.values()} == {"subscription_ended"}


async def test_two_events_in_the_same_second_are_resolved_by_reading_stripe(world: World) -> None:
    from adapters.stripe import objects
    from domain.billing.product import MirroredProduct
    from domain.billing.version import SourceVersion

    truth = objects.subscription(
        subscription(price="price_team", quantity=3), SourceVersion(world.clock.now())
    )
    world.source.put(truth)
    product_id = truth.subscription.items[0].product_id
    world.mirror.products[product_id] = MirroredProduct(product_id, truth.version, "Team")
    await world.deliver(
        event("customer.subscription.updated", subscription(price="price_team"), event_id="a")
    )
    await world.deliver(
        event("customer.subscription.updated", subscription(price="price_pro"), event_id="b")
    )
    await world.drain()

    assert world.source.reads == 1
    assert world.mirror.subscriptions["sub_1"].subscription.price_ids() == {"price_team"}


async def test_unknown_types_nulls_and_unknown_statuses_are_handled(world: World) -> None:
    odd = subscription(status="paused_for_audit", cancel_at=None, latest_invoice=None)
    odd["items"]["data"][0]["price"]["recurring"] = None
    await world.deliver(event("customer.subscription.created", odd, event_id="e1"))
    await world.deliver(event("plan.created", {"id": "plan_1"}, event_id="e2"))
    await world.drain()

    sub = world.mirror.subscriptions["sub_1"].subscription
    assert sub.status is SubscriptionStatus.UNKNOWN
    assert sub.raw_status == "paused_for_audit"
    assert sub.items[0].interval is None
    assert world.inbox.events["e2"].status is EventStatus.IGNORED


async def test_a_failing_handler_retries_with_backoff_then_parks() -> None:
    world = make_world(SyncSettings(max_attempts=3, backoff_base_seconds=10, always_refetch=True))
    world.source.failure = ProviderUnavailable("Stripe answered 503")
    await world.deliver(event("customer.subscription.updated", subscription(), event_id="e1"))
    await (await world.worker()).execute(worker_id="w1")
    first = world.inbox.events["e1"]
    assert first.status is EventStatus.PENDING
    assert first.attempts == 1
    assert (first.next_attempt_at - world.clock.now()).total_seconds() == 10

    assert (await (await world.worker()).execute(worker_id="w1")).claimed == 0  # not due yet
    world.clock.advance(10)
    await (await world.worker()).execute(worker_id="w1")
    assert (world.inbox.events["e1"].next_attempt_at - world.clock.now()).total_seconds() == 20
    world.clock.advance(20)
    await (await world.worker()).execute(worker_id="w1")

    parked = world.inbox.events["e1"]
    assert parked.status is EventStatus.FAILED
    assert parked.attempts == 3
    assert "Stripe answered 503" in (parked.last_error or "")
    assert world.mirror.subscriptions == {}
    assert world.outbox.messages == {}

    world.source.failure = None  # `events retry-failed` after the outage
    await world.inbox.requeue_failed(now=world.clock.now())
    await world.drain()
    assert world.inbox.events["e1"].status is EventStatus.PROCESSED
    assert "sub_1" in world.mirror.subscriptions


async def test_an_event_without_an_id_on_its_object_is_parked_at_once(world: World) -> None:
    broken = event("customer.subscription.updated", {"customer": CUSTOMER}, event_id="e1")
    await world.deliver(broken)
    await world.drain()
    assert world.inbox.events["e1"].status is EventStatus.FAILED
    assert world.inbox.events["e1"].attempts == 1


async def test_payment_failed_queues_a_link_to_the_payment_method_update_flow(world: World) -> None:
    failed = invoice(status="open", amount_due=1999, customer_email="billing@acme.test")
    await world.deliver(event("invoice.payment_failed", failed, event_id="e1"))
    await world.drain()

    [message] = world.outbox.messages.values()
    assert message.to == "billing@acme.test"
    assert message.context["amount"] == "19.99 USD"
    assert (
        message.context["update_url"] == "http://localhost:8000/billing?flow=payment_method_update"
    )
    assert world.mirror.invoices["in_1"].status == "open"


async def test_a_new_default_card_is_announced_once_whichever_event_tells(world: World) -> None:
    await world.deliver(
        event("payment_method.attached", payment_method(), event_id="e1", created=T0)
    )
    updated = customer(invoice_settings={"default_payment_method": "pm_visa"})
    previous = {"invoice_settings": {"default_payment_method": None}}
    await world.deliver(
        event("customer.updated", updated, event_id="e2", created=T0 + 1, previous=previous)
    )
    await world.drain()
    await world.deliver(
        event("payment_method.attached", payment_method(), event_id="e3", created=T0 + 2)
    )
    await world.drain()

    [message] = world.outbox.messages.values()
    assert message.template == "payment_method_updated"
    assert message.context["payment_method"] == "Visa ending in 4242"
    assert world.mirror.customers[CUSTOMER].default_payment_method_id == "pm_visa"


async def test_cancellation_scheduled_says_until_when_and_why(world: World) -> None:
    scheduled = subscription(
        cancel_at_period_end=True,
        cancellation_details={
            "reason": "cancellation_requested",
            "feedback": "too_expensive",
            "comment": None,
        },
    )
    await world.deliver(
        event(
            "customer.subscription.updated",
            scheduled,
            event_id="e1",
            previous={"cancel_at_period_end": False},
        )
    )
    await world.drain()

    [message] = world.outbox.messages.values()
    assert message.template == "cancellation_scheduled"
    assert message.context["reason"] == "too_expensive"
    assert message.context["access_until"] == "2026-03-31T12:00:00+00:00"
    assert message.status is OutboxStatus.PENDING


async def test_an_undone_cancellation_says_the_subscription_continues_once(world: World) -> None:
    renewed = event(
        "customer.subscription.updated",
        subscription(),
        event_id="e1",
        previous={"cancel_at_period_end": True, "cancel_at": T0 + 30 * 86400},
    )
    for _ in range(3):  # redelivered, then replayed
        await world.deliver(renewed)
    await world.drain()
    await world.inbox.requeue("e1", now=world.clock.now())
    await world.drain()

    [message] = world.outbox.messages.values()
    assert message.key == "e1:cancellation_undone"
    assert message.template == "cancellation_undone"
    assert message.context["plan"] == "Basic"
    assert message.context["renews_at"] == "2026-03-31T12:00:00+00:00"
    assert world.mirror.subscriptions["sub_1"].subscription.cancel_at_period_end is False


@pytest.mark.parametrize(
    ("state", "previous"),
    [
        ({"cancel_at_period_end": True}, {"cancel_at_period_end": False}),  # scheduled
        ({}, {"quantity": 1}),  # an unrelated change
        ({"status": "canceled", "ended_at": T0}, {"cancel_at_period_end": True}),  # it ended
    ],
)
async def test_no_undone_cancellation_email_unless_a_scheduled_end_was_lifted(
    world: World, state: dict, previous: dict
) -> None:
    payload = event(
        "customer.subscription.updated", subscription(**state), event_id="e1", previous=previous
    )
    await world.deliver(payload)
    await world.drain()

    templates = {m.template for m in world.outbox.messages.values()}
    assert "cancellation_undone" not in templates
