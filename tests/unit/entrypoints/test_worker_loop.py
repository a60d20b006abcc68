"""The worker loop: busy passes back to back, idle waits cut short by stop, failures survived."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from dishka import AsyncContainer, Provider, Scope, make_async_container, provide

from application.errors import PersistenceUnavailable
from application.sync.process_event import EventOutcome, ProcessEventResult
from application.sync.process_inbox_batch import InboxBatchResult, ProcessInboxBatch
from application.sync.send_outbox_batch import OutboxBatchResult, SendOutboxBatch
from entrypoints.demo.command import webhook_url
from entrypoints.sync_settings import WorkerSettings
from entrypoints.worker import SyncWorker, concurrent_workers

Stopping = Callable[[], bool]

IDLE_OUTBOX = OutboxBatchResult((), (), ())


class ScriptedInbox:
    """Each pass takes the next scripted step: a number of events, or an error to raise."""

    def __init__(self, steps: list[int | Exception], stop: asyncio.Event) -> None:
        self.steps, self.stop, self.passes = steps, stop, 0

    async def execute(self, *, worker_id: str, limit: int, stopping: Stopping) -> InboxBatchResult:
        self.passes += 1
        if not self.steps:
            self.stop.set()
            return InboxBatchResult(())
        step = self.steps.pop(0)
        if isinstance(step, Exception):
            raise step
        results = tuple(ProcessEventResult(f"evt_{n}", EventOutcome.PROCESSED) for n in range(step))
        return InboxBatchResult(results)


class CountingOutbox:
    def __init__(self) -> None:
        self.passes = 0

    async def execute(self, *, worker_id: str, limit: int, stopping: Stopping) -> OutboxBatchResult:
        self.passes += 1
        return IDLE_OUTBOX


def container_over(inbox: object, outbox: CountingOutbox | None = None) -> AsyncContainer:
    """A container whose batches are these stand-ins."""

    class Batches(Provider):
        scope = Scope.REQUEST

        @provide
        def inbox_batch(self) -> ProcessInboxBatch:
            return inbox  # type: ignore[return-value]

        @provide
        def outbox_batch(self) -> SendOutboxBatch:
            return outbox or CountingOutbox()  # type: ignore[return-value]

    return make_async_container(Batches())


def worker_over(
    inbox: ScriptedInbox, poll_seconds: float, outbox: CountingOutbox | None = None
) -> SyncWorker:
    container = container_over(inbox, outbox)
    return SyncWorker(container, WorkerSettings(batch_size=10, poll_seconds=poll_seconds), "w1")


async def test_busy_passes_run_back_to_back_and_stop_ends_an_idle_wait_at_once() -> None:
    stop = asyncio.Event()
    inbox = ScriptedInbox([3, 2, 1], stop)
    worker = worker_over(inbox, poll_seconds=60)
    started = time.monotonic()

    await asyncio.wait_for(worker.run(stop), timeout=10)

    assert inbox.passes == 4  # three busy passes, then the idle one that sets stop
    assert time.monotonic() - started < 5  # never slept its 60 s poll


async def test_a_failing_pass_is_logged_and_the_worker_carries_on() -> None:
    stop = asyncio.Event()
    inbox = ScriptedInbox([PersistenceUnavailable("database down"), 1], stop)
    worker = worker_over(inbox, poll_seconds=0.05)

    await asyncio.wait_for(worker.run(stop), timeout=10)

    assert inbox.passes == 3


async def test_drain_stops_at_the_first_idle_pass() -> None:
    inbox = ScriptedInbox([5, 5], asyncio.Event())
    worker = worker_over(inbox, poll_seconds=60)

    passes = await worker.drain()

    assert [p.inbox.claimed for p in passes] == [5, 5, 0]


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8000/api/webhooks/stripe"),
        ("0.0.0.0", "http://127.0.0.1:8000/api/webhooks/stripe"),
        ("localhost", "http://127.0.0.1:8000/api/webhooks/stripe"),
        ("10.0.0.5", "http://10.0.0.5:8000/api/webhooks/stripe"),
    ],
)
def test_the_demo_registers_the_api_it_serves_as_the_sandbox_webhook(host: str, url: str) -> None:
    assert webhook_url(host, 8000) == url


class StoppedMidBatch:
    """A pass during which SIGTERM arrives: it sets ``stop`` and reports what ``stopping``
    then says (the real batch would release the rest of its claim)."""

    def __init__(self, stop: asyncio.Event) -> None:
        self.stop, self.saw_stopping = stop, False

    async def execute(self, *, worker_id: str, limit: int, stopping: Stopping) -> InboxBatchResult:
        self.stop.set()
        self.saw_stopping = stopping()
        return InboxBatchResult((ProcessEventResult("evt_0", EventOutcome.PROCESSED),), 9)


async def test_stop_during_a_pass_reaches_the_batch_and_skips_the_emails() -> None:
    stop = asyncio.Event()
    batch = StoppedMidBatch(stop)
    outbox = CountingOutbox()
    worker = worker_over(batch, poll_seconds=60, outbox=outbox)  # type: ignore[arg-type]

    await asyncio.wait_for(worker.run(stop), timeout=10)

    assert batch.saw_stopping
    assert outbox.passes == 0


class SharedInbox:
    """Hands out ``total`` events, 10 per pass, to whichever worker asks, noting who and
    how many of them are inside a pass at once."""

    def __init__(self, total: int, stop: asyncio.Event) -> None:
        self.left, self.stop = total, stop
        self.by_worker: dict[str, int] = {}
        self.inside = self.most_inside = 0

    async def execute(self, *, worker_id: str, limit: int, stopping: Stopping) -> InboxBatchResult:
        if self.left <= 0:
            self.stop.set()
            return InboxBatchResult(())
        taken = min(limit, self.left)
        self.left -= taken
        self.inside += 1
        self.most_inside = max(self.most_inside, self.inside)
        await asyncio.sleep(0.01)  # waiting on the database: the other worker runs
        self.inside -= 1
        self.by_worker[worker_id] = self.by_worker.get(worker_id, 0) + taken
        return InboxBatchResult(
            tuple(ProcessEventResult(f"evt_{n}", EventOutcome.PROCESSED) for n in range(taken))
        )


async def test_a_process_runs_its_concurrent_workers_side_by_side_under_their_own_ids() -> None:
    stop = asyncio.Event()
    inbox = SharedInbox(100, stop)

    settings = WorkerSettings(batch_size=10, poll_seconds=0.05, concurrency=3)
    workers = concurrent_workers(container_over(inbox), settings, "host:1:ab")

    await asyncio.wait_for(asyncio.gather(*(w.run(stop) for w in workers)), 5)

    assert [w.worker_id for w in workers] == ["host:1:ab", "host:1:ab.2", "host:1:ab.3"]
    assert sum(inbox.by_worker.values()) == 100
    assert set(inbox.by_worker) == {"host:1:ab", "host:1:ab.2", "host:1:ab.3"}
    assert inbox.most_inside == 3  # their waits overlap
