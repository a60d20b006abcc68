"""FAULT: the mail server is down (connections refused) or busy (a temporary 451 to every
message) while changes at Stripe call for emails. The emails wait in the outbox (retried
with backoff, never lost), and each leaves exactly once when the server is back.

The whole loop is real: the sandbox (Stripe) -> signed webhooks -> the API -> PostgreSQL
-> the worker -> SMTP (aiosmtpd on loopback, stopped and started on the same port).
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import pytest
from loop_world import SyncWorld, sync_world, until

from application.operations.list_emails import ListEmails
from application.ports.outbox import OutboxMessage, OutboxStatus
from entrypoints.settings import Settings

pytestmark = pytest.mark.postgres
USERS = ("user_b2c", "user_b2b")  # the demo's customers with one live subscription each
BACKOFF_SECONDS = 1  # production waits 30 s, then doubles; the rule is the same


def short_backoff(settings: Settings) -> Settings:
    sync = dataclasses.replace(settings.sync, backoff_base_seconds=BACKOFF_SECONDS,
                               backoff_cap_seconds=2 * BACKOFF_SECONDS)  # fmt: skip
    return dataclasses.replace(settings, sync=sync)


async def schedule_cancellation(world: SyncWorld, user_id: str) -> None:
    found = await world.stripe.v1.subscriptions.list_async(
        {"customer": world.customer_of(user_id), "status": "active"}
    )
    await world.stripe.v1.subscriptions.update_async(
        found.data[0].id, {"cancel_at_period_end": True}
    )


async def outbox(world: SyncWorld) -> list[OutboxMessage]:
    found: list[OutboxMessage] = await world.use_case(ListEmails, lambda uc: uc.execute())
    return found


@pytest.fixture
async def world(empty_postgres_url: str) -> Any:
    async with sync_world(empty_postgres_url, tune=short_backoff) as world:
        yield world


def break_smtp(world: SyncWorld, fault: str) -> None:
    if fault == "refused":
        world.smtp.go_down()
    else:
        world.smtp.busy = True


def mend_smtp(world: SyncWorld, fault: str) -> None:
    if fault == "refused":
        world.smtp.come_back()
    else:
        world.smtp.busy = False


@pytest.mark.parametrize("fault", ["refused", "busy_451"])
async def test_emails_wait_while_smtp_is_down_and_leave_once_when_it_returns(
    world: SyncWorld, fault: str
) -> None:
    break_smtp(world, fault)
    for user in USERS:
        await schedule_cancellation(world, user)

    async def both_failed_twice() -> bool:
        queued = await outbox(world)
        return len(queued) == len(USERS) and all(m.attempts >= 2 for m in queued)

    await until(lambda: world.work_then(both_failed_twice), "two failed tries of each email")
    queued = await outbox(world)
    assert world.smtp.messages == []
    assert {m.status for m in queued} == {OutboxStatus.PENDING}  # waiting, not parked
    assert all(m.last_error and m.sent_at is None for m in queued)
    failures_while_down = sum(m.attempts for m in queued)

    mend_smtp(world, fault)
    back_at = time.monotonic()

    async def both_sent() -> bool:
        return len(world.smtp.messages) >= len(USERS)

    await until(lambda: world.work_then(both_sent), "the emails to leave once SMTP is back")
    sent_after = time.monotonic() - back_at
    for _ in range(3):  # more passes, past the next backoff: nothing leaves twice
        await world.drain()

    messages = world.smtp.messages
    assert len(messages) == len(USERS)
    assert sorted(m["To"] for m in messages) == sorted(world.records[u].email for u in USERS)
    assert len({m["Message-ID"] for m in messages}) == len(USERS)
    assert all(m["Subject"].startswith("Your subscription is set to end") for m in messages)
    assert {m.status for m in await outbox(world)} == {OutboxStatus.SENT}
    print(
        f"\nfault.smtp_down.{fault}: emails={len(USERS)} failed_tries_while_down={failures_while_down} "
        f"sent_once_after_return={len(messages)} seconds_to_send_after_return={sent_after:.1f} "
        f"backoff_base_s={BACKOFF_SECONDS}"
    )
