from __future__ import annotations

from adapters.stripe import objects
from adapters.stripe.events import StripeEventTranslator
from application.ports.event_inbox import EventStatus
from application.sync.backfill_mirror import BackfillMirror
from application.sync.recover_events import RecoverEvents
from domain.billing.version import SourceVersion
from domain.subscription import SubscriptionStatus

from .builders import CUSTOMER, T0, customer, event, payment_method, subscription
from .conftest import World


async def test_recover_queues_only_the_events_the_inbox_missed(world: World) -> None:
    delivered = event(
        "customer.subscription.created", subscription(), event_id="e1", created=T0 - 60
    )
    missed = event(
        "customer.subscription.deleted",
        subscription(status="canceled"),
        event_id="e2",
        created=T0 - 30,
    )
    world.source.events = [delivered, missed]
    await world.deliver(delivered)

    result = await RecoverEvents(
        world.inbox, world.source, StripeEventTranslator(), world.clock, world.transaction
    ).execute()
    await world.drain()

    assert result.recovered == ("e2",)
    assert world.inbox.events["e2"].status is EventStatus.PROCESSED
    assert world.mirror.subscriptions["sub_1"].subscription.status is SubscriptionStatus.CANCELED


def _provider_state(world: World) -> None:
    read = SourceVersion(world.clock.now())
    world.source.put(objects.customer(customer(), read))
    world.source.put(objects.subscription(subscription(), read))
    world.source.put(objects.payment_method(payment_method(), read))


async def test_backfill_converges_and_is_idempotent(world: World) -> None:
    _provider_state(world)
    backfill = BackfillMirror(world.mirror, world.source, world.transaction, world.clock)
    progress: list[tuple[str, int]] = []

    first = await backfill.execute(progress=lambda kind, n: progress.append((kind, n)))
    world.clock.advance(60)
    again = await backfill.execute(customer_id=CUSTOMER)

    assert world.mirror.customers[CUSTOMER].email == "ada@example.com"
    assert world.mirror.payment_methods["pm_visa"].last4 == "4242"
    assert world.mirror.subscriptions["sub_1"].subscription.status is SubscriptionStatus.ACTIVE
    assert first.written == {"customers": 1, "subscriptions": 1, "payment_methods": 1}
    assert ("subscriptions", 1) in progress
    assert again.read == first.read


async def test_backfill_never_overwrites_a_newer_webhook_state(world: World) -> None:
    _provider_state(world)  # read at T0: active
    newer = event(
        "customer.subscription.deleted",
        subscription(status="canceled"),
        event_id="e9",
        created=T0 + 5,
    )
    await world.deliver(newer)
    await world.drain()

    await BackfillMirror(world.mirror, world.source, world.transaction, world.clock).execute()

    assert world.mirror.subscriptions["sub_1"].subscription.status is SubscriptionStatus.CANCELED
