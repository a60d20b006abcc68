"""The lease heartbeat: a long batch keeps its claims; a worker that stops renewing loses
them to another worker one short lease later. Time is the fake clock's; the heartbeat
ticks when the test says so."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from dishka import Provider, Scope, make_async_container, provide
from tests.fakes import FakeClock, FakeEventInbox, FakeOutbox, FakeTransactionManager

from application.ports.clock import Clock
from application.ports.event_inbox import EventInbox, InboxEvent
from application.ports.outbox import Outbox, OutboxMessage
from application.ports.transaction_manager import TransactionManager
from application.sync.process_inbox_batch import InboxBatchResult, ProcessInboxBatch
from application.sync.send_outbox_batch import OutboxBatchResult, SendOutboxBatch
from application.sync.settings import SyncSettings
from entrypoints.sync_settings import WorkerSettings
from entrypoints.worker import SyncWorker

Stopping = Callable[[], bool]

LEASE = SyncSettings().lease_seconds
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class LongBatch:
    """Claims what is due, then holds it until the test lets the batch finish."""

    def __init__(self, inbox: FakeEventInbox, outbox: FakeOutbox, clock: FakeClock) -> None:
        self.inbox, self.outbox, self.clock = inbox, outbox, clock
        self.claimed, self.finish = asyncio.Event(), asyncio.Event()

    async def execute(self, *, worker_id: str, limit: int, stopping: Stopping) -> InboxBatchResult:
        claim = {"worker_id": worker_id, "now": self.clock.now(), "limit": limit}
        await self.inbox.claim_due(**claim, lease_seconds=LEASE)
        await self.outbox.claim_due(**claim, lease_seconds=LEASE)
        self.claimed.set()
        await self.finish.wait()
        return InboxBatchResult(())


class HandTicks:
    """The heartbeat's ``wait``: it reports that it waits, and returns on ``tick``."""

    def __init__(self) -> None:
        self.waiting: asyncio.Queue[float] = asyncio.Queue()
        self._ticks: asyncio.Queue[None] = asyncio.Queue()

    async def __call__(self, seconds: float) -> None:
        await self.waiting.put(seconds)
        await self._ticks.get()

    async def tick(self) -> None:
        """One beat, returning once that beat's renewal is done (the next wait began)."""
        await self._ticks.put(None)
        await self.waiting.get()


def a_world() -> tuple[FakeEventInbox, FakeOutbox, FakeClock, LongBatch]:
    inbox, outbox, clock = FakeEventInbox(), FakeOutbox(), FakeClock(T0)
    payload = {"id": "evt_1", "type": "customer.updated"}
    inbox.events["evt_1"] = InboxEvent("evt_1", "customer.updated", T0, False, payload, T0)
    outbox.messages["mail_1"] = OutboxMessage("mail_1", "payment_failed", "a@example.com", T0)
    return inbox, outbox, clock, LongBatch(inbox, outbox, clock)


def worker_over(
    inbox: FakeEventInbox, outbox: FakeOutbox, clock: FakeClock, batch: LongBatch, ticks: HandTicks
) -> SyncWorker:
    class World(Provider):
        scope = Scope.APP

        @provide
        def settings(self) -> SyncSettings:
            return SyncSettings()

        @provide
        def ports(self) -> EventInbox:
            return inbox

        @provide
        def mails(self) -> Outbox:
            return outbox

        @provide
        def time(self) -> Clock:
            return clock

        @provide(scope=Scope.REQUEST)
        def transaction(self) -> TransactionManager:
            return FakeTransactionManager(inbox, outbox)

        @provide(scope=Scope.REQUEST)
        def inbox_batch(self) -> ProcessInboxBatch:
            return batch  # type: ignore[return-value]

        @provide(scope=Scope.REQUEST)
        def outbox_batch(self) -> SendOutboxBatch:
            class Idle:
                async def execute(
                    self, *, worker_id: str, limit: int, stopping: Stopping
                ) -> OutboxBatchResult:
                    return OutboxBatchResult((), (), ())

            return Idle()  # type: ignore[return-value]

    container = make_async_container(World())
    return SyncWorker(container, WorkerSettings(), "worker-a", heartbeat_wait=ticks)


async def claims_of_another_worker(inbox: FakeEventInbox, outbox: FakeOutbox, now: datetime) -> int:
    claim = {"worker_id": "worker-b", "now": now, "limit": 10, "lease_seconds": LEASE}
    return len(await inbox.claim_due(**claim)) + len(await outbox.claim_due(**claim))


async def test_the_lease_is_short_so_a_crashed_workers_claims_wait_seconds_not_minutes() -> None:
    inbox, outbox, clock, _ = a_world()
    claim = {"worker_id": "worker-a", "now": T0, "limit": 10, "lease_seconds": LEASE}
    await inbox.claim_due(**claim)
    await outbox.claim_due(**claim)  # ... then worker-a is killed: no heartbeat any more

    assert LEASE == 30
    assert await claims_of_another_worker(inbox, outbox, clock.now()) == 0
    clock.advance(LEASE)
    assert await claims_of_another_worker(inbox, outbox, clock.now()) == 2


async def test_a_long_batch_keeps_its_claims_while_the_heartbeat_renews_them() -> None:
    inbox, outbox, clock, batch = a_world()
    ticks = HandTicks()
    worker = worker_over(inbox, outbox, clock, batch, ticks)
    running = asyncio.create_task(worker.run_pass())
    await batch.claimed.wait()
    assert await ticks.waiting.get() == LEASE / 3

    for _ in range(9):  # 9 beats of 10 s: three leases' worth of batch
        clock.advance(LEASE / 3)
        await ticks.tick()
        assert await claims_of_another_worker(inbox, outbox, clock.now()) == 0

    batch.finish.set()
    await asyncio.wait_for(running, timeout=5)
    # The pass is over: no more renewals, and the claims run out one lease later.
    clock.advance(LEASE)
    assert await claims_of_another_worker(inbox, outbox, clock.now()) == 2
