"""THE WHOLE LOOP against real Postgres, the sandbox (as Stripe) and an SMTP server:
a change at Stripe -> signed webhook -> inbox -> worker -> mirror -> outbox -> one email."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from loop_world import SyncWorld, sync_world, until

from application.ports.event_inbox import EventStatus
from application.sync.backfill_mirror import BackfillMirror
from application.sync.inspect_events import InspectEvents
from application.sync.recover_events import RecoverEvents
from stripe_sandbox import DeliveryPolicy, sign

pytestmark = pytest.mark.postgres
USER = "user_b2c"  # the demo's B2C customer on Basic monthly


async def live_subscription(world: SyncWorld) -> Any:
    found = await world.stripe.v1.subscriptions.list_async(
        {"customer": world.customer_of(USER), "status": "active"}
    )
    [subscription] = found.data
    return subscription


async def price_id(world: SyncWorld, lookup_key: str) -> str:
    found = await world.stripe.v1.prices.list_async({"lookup_keys": [lookup_key]})
    return str(found.data[0].id)


async def switch_to_pro(world: SyncWorld) -> str:
    subscription = await live_subscription(world)
    item = subscription["items"]["data"][0]
    await world.stripe.v1.subscriptions.update_async(
        subscription.id,
        {
            "items": [{"id": item.id, "price": await price_id(world, "pro_monthly")}],
            "proration_behavior": "none",
        },
    )
    return str(subscription.id)


async def schedule_cancellation(world: SyncWorld) -> str:
    subscription = await live_subscription(world)
    await world.stripe.v1.subscriptions.update_async(
        subscription.id, {"cancel_at_period_end": True}
    )
    return str(subscription.id)


async def plan_shown(world: SyncWorld) -> str:
    summary = await world.summary(USER)
    [line] = [s for s in summary["subscriptions"] if s["status"] == "active"]
    return str(line["plan_name"])


async def cancellation_shown(world: SyncWorld) -> bool:
    summary = await world.summary(USER)
    return any(s["cancel_at_period_end"] for s in summary["subscriptions"])


async def inbox_events(world: SyncWorld, event_type: str) -> list[Any]:
    found: list[Any] = await world.use_case(
        InspectEvents, lambda uc: uc.list(type=event_type, limit=100)
    )
    return found


@pytest.fixture
async def world(empty_postgres_url: str) -> Any:
    async with sync_world(empty_postgres_url) as world:
        yield world


async def test_a_plan_change_at_stripe_reaches_the_summary_and_sends_one_email(
    world: SyncWorld,
) -> None:
    assert await plan_shown(world) == "Basic monthly"  # backfilled at start

    await switch_to_pro(world)

    async def pro_and_mailed() -> bool:
        return await plan_shown(world) == "Pro monthly" and len(world.smtp.messages) >= 1

    await until(lambda: world.work_then(pro_and_mailed), "the plan change to show and mail")
    await world.drain()
    [message] = world.smtp.messages
    assert message["To"] == world.records[USER].email
    assert message["Subject"] == "Your plan has changed"
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Basic monthly" in text
    assert "Pro monthly" in text
    [event] = await inbox_events(world, "customer.subscription.updated")
    assert event.status is EventStatus.PROCESSED
    summary = await world.summary(USER)
    assert summary["mirror_updated_at"] is not None
    assert summary["portal"]["action"] == "portal"

    # Stripe delivers at least once: the same event five more times changes nothing...
    payload = json.dumps(event.payload).encode()
    for _ in range(5):
        header = sign(payload, world.webhook_secret, int(time.time()))
        response = await world.api.post(
            "/api/webhooks/stripe",
            content=payload,
            headers={"Stripe-Signature": header, "Content-Type": "application/json"},
        )
        assert response.json() == {"received": True, "duplicate": True}
    # ... and neither does an operator replaying it.
    await world.use_case(InspectEvents, lambda uc: uc.replay(event.id))
    await world.drain()

    assert len(world.smtp.messages) == 1
    assert len(await inbox_events(world, "customer.subscription.updated")) == 1
    assert await plan_shown(world) == "Pro monthly"


async def test_sync_after_lost_webhooks_converges(world: SyncWorld) -> None:
    await world.stripe.v1.webhook_endpoints.update_async(world.endpoint_id, {"disabled": True})
    await schedule_cancellation(world)
    await world.drain()
    assert not await cancellation_shown(world)  # nothing was delivered

    customer = world.customer_of(USER)
    result = await world.use_case(BackfillMirror, lambda uc: uc.execute(customer))
    again = await world.use_case(BackfillMirror, lambda uc: uc.execute(customer))

    assert result.read["subscriptions"] >= 1
    assert again.read == result.read
    assert await cancellation_shown(world)
    assert world.smtp.messages == []  # a backfill copies state; it sends no email


async def test_events_recover_finds_what_was_missed(empty_postgres_url: str) -> None:
    gave_up_at_once = DeliveryPolicy(max_attempts=1, idle_poll=0.2)
    async with sync_world(empty_postgres_url, delivery=gave_up_at_once) as world:
        await world.stripe.v1.webhook_endpoints.update_async(
            world.endpoint_id, {"url": "http://127.0.0.1:9/nobody-listens"}
        )
        await schedule_cancellation(world)

        async def stripe_gave_up() -> bool:
            undelivered = await world.stripe.v1.events.list_async(
                {"delivery_success": False, "type": "customer.subscription.updated"}
            )
            return bool(undelivered.data)

        await until(stripe_gave_up, "the sandbox to give up delivering")
        await world.drain()
        assert not await cancellation_shown(world)

        recovered = await world.use_case(
            RecoverEvents, lambda uc: uc.execute(undelivered_only=True)
        )
        await world.drain()

        assert recovered.recovered
        [event] = await inbox_events(world, "customer.subscription.updated")
        assert event.id in recovered.recovered
        assert event.status is EventStatus.PROCESSED
        assert await cancellation_shown(world)
        [message] = world.smtp.messages
        assert message["Subject"].startswith("Your subscription is set to end")
        again = await world.use_case(RecoverEvents, lambda uc: uc.execute(undelivered_only=True))
        assert again.recovered == ()
