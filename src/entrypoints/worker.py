"""The sync worker: claim inbox events and send due emails, batch after batch.

Each batch runs in a fresh request scope (its own session and unit of work). Any number of
workers may run on PostgreSQL (claims use ``FOR UPDATE SKIP LOCKED``); on SQLite run one.
While a pass runs, a heartbeat renews the worker's leases every ``lease_seconds / 3`` in
its own transaction, so a long batch keeps its claims and a killed worker's claims are
free for another worker ``lease_seconds`` (30 s by default) after its last heartbeat.
A worker told to stop (SIGTERM) finishes the event or email in hand, releases the rest of
its claim at once and returns: a supervisor's grace period never has to cover a batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import structlog
from dishka import AsyncContainer

from application.errors import ApplicationError
from application.ports.clock import Clock
from application.ports.event_inbox import EventInbox
from application.ports.outbox import Outbox
from application.ports.transaction_manager import TransactionManager
from application.sync.process_event import EventOutcome
from application.sync.process_inbox_batch import InboxBatchResult, ProcessInboxBatch
from application.sync.send_outbox_batch import OutboxBatchResult, SendOutboxBatch
from application.sync.settings import SyncSettings
from entrypoints.sync_settings import WorkerSettings
from entrypoints.worker_metrics import record_inbox_batch, record_outbox_batch

log = structlog.get_logger("entrypoints.worker")


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True, slots=True)
class PassResult:
    inbox: InboxBatchResult
    outbox: OutboxBatchResult

    @property
    def busy(self) -> bool:
        out = self.outbox
        return bool(self.inbox.claimed or out.sent or out.retrying or out.parked)

    @property
    def released(self) -> int:
        """Claims given back unprocessed because the worker was stopping."""
        return self.inbox.released + self.outbox.released


Wait = Callable[[float], Awaitable[None]]
IDLE_OUTBOX = OutboxBatchResult((), (), ())


def _never() -> bool:
    return False


class LeaseHeartbeat:
    """Renews the leases of every event and email ``worker_id`` holds, every
    ``lease_seconds / 3`` while ``running``. ``wait`` is ``asyncio.sleep`` (tests pass
    their own to tick by hand). A failed renewal is logged and tried again next beat."""

    def __init__(self, container: AsyncContainer, worker_id: str, wait: Wait) -> None:
        self._container, self._worker_id, self._wait = container, worker_id, wait

    async def renew(self) -> tuple[int, int]:
        """One beat in its own unit of work: how many events and emails were renewed."""
        async with self._container() as request:
            lease = (await request.get(SyncSettings)).lease_seconds
            now = (await request.get(Clock)).now()
            renewal = {"worker_id": self._worker_id, "now": now, "lease_seconds": lease}
            events = await (await request.get(EventInbox)).renew_leases(**renewal)
            emails = await (await request.get(Outbox)).renew_leases(**renewal)
            await (await request.get(TransactionManager)).commit()
        return events, emails

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        task = asyncio.create_task(self._beat())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _beat(self) -> None:
        try:
            lease = (await self._container.get(SyncSettings)).lease_seconds
        except Exception:  # a wiring fault must not take the batch down with it
            log.exception("worker.lease.no_settings", worker_id=self._worker_id)
            return
        while True:
            await self._wait(lease / 3)
            try:
                events, emails = await self.renew()
            except ApplicationError as error:
                log.warning("worker.lease.renew_failed", worker_id=self._worker_id,
                            error=error.message)  # fmt: skip
            except Exception:
                log.exception("worker.lease.renew_crashed", worker_id=self._worker_id)
            else:
                log.debug("worker.lease.renewed", worker_id=self._worker_id,
                          events=events, emails=emails)  # fmt: skip


class SyncWorker:
    """``run_pass`` once, ``drain`` until nothing is due, or ``run`` until ``stop`` is set
    (sleeping ``poll_seconds`` only when a pass found nothing; ``wakeup`` cuts the sleep).
    Each pass runs under the lease heartbeat; under ``run``, ``stop`` also ends a pass
    early, its unfinished claims released."""

    def __init__(
        self,
        container: AsyncContainer,
        settings: WorkerSettings,
        worker_id: str | None = None,
        *,
        heartbeat_wait: Wait = asyncio.sleep,
    ) -> None:
        self._container, self._settings = container, settings
        self.worker_id = worker_id or default_worker_id()
        self.heartbeat = LeaseHeartbeat(container, self.worker_id, heartbeat_wait)

    async def run_pass(self, stopping: Callable[[], bool] = _never) -> PassResult:
        """One batch of events, then one of emails; ``stopping`` (asked before each item)
        ends it early, releasing what was claimed and not done."""
        async with self.heartbeat.running():
            return await self._pass(stopping)

    async def _pass(self, stopping: Callable[[], bool]) -> PassResult:
        worker_id, limit = self.worker_id, self._settings.batch_size
        started = time.perf_counter()
        async with self._container() as request:
            inbox = await (await request.get(ProcessInboxBatch)).execute(
                worker_id=worker_id, limit=limit, stopping=stopping
            )
        record_inbox_batch(inbox, time.perf_counter() - started)
        outbox = IDLE_OUTBOX
        if not stopping():
            started = time.perf_counter()
            async with self._container() as request:
                outbox = await (await request.get(SendOutboxBatch)).execute(
                    worker_id=worker_id, limit=limit, stopping=stopping
                )
            record_outbox_batch(outbox, time.perf_counter() - started)
        _log_pass(self.worker_id, inbox, outbox)
        return PassResult(inbox, outbox)

    async def drain(self) -> list[PassResult]:
        """Passes until one finds nothing due (retries scheduled later are left for later)."""
        passes = [await self.run_pass()]
        while passes[-1].busy:
            passes.append(await self.run_pass())
        return passes

    async def run(self, stop: asyncio.Event, wakeup: asyncio.Event | None = None) -> None:
        log.info("worker.started", worker_id=self.worker_id)
        while not stop.is_set():
            try:
                busy = (await self.run_pass(stop.is_set)).busy
            except ApplicationError as error:  # e.g. the database is down: wait, try again
                log.warning("worker.pass.failed", worker_id=self.worker_id, error=error.message)
                busy = False
            except Exception:
                log.exception("worker.pass.crashed", worker_id=self.worker_id)
                busy = False
            if not busy:
                await _idle(stop, wakeup, self._settings.poll_seconds)
        log.info("worker.stopped", worker_id=self.worker_id)


def concurrent_workers(
    container: AsyncContainer, settings: WorkerSettings, worker_id: str | None = None
) -> list[SyncWorker]:
    """``settings.concurrency`` workers of one process, run side by side on one event loop:
    the first named ``worker_id`` (default host:pid:random), the others ``<that>.2``,
    ``.3``...: each claims, leases and releases its own batches, as workers in separate
    processes do (``FOR UPDATE SKIP LOCKED``), so they never hold the same event. While
    one waits for the database or Stripe, another has the CPU: a lone worker was busy
    67% of its time (docs/PERFORMANCE.md)."""
    first = SyncWorker(container, settings, worker_id)
    others = [
        SyncWorker(container, settings, f"{first.worker_id}.{n}")
        for n in range(2, settings.concurrency + 1)
    ]
    return [first, *others]


async def _idle(stop: asyncio.Event, wakeup: asyncio.Event | None, seconds: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait())]
    if wakeup is not None:
        waiters.append(asyncio.ensure_future(wakeup.wait()))
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiter
        if wakeup is not None:
            wakeup.clear()


def _log_pass(worker_id: str, inbox: InboxBatchResult, outbox: OutboxBatchResult) -> None:
    if inbox.fell_back is not None:
        log.warning("worker.batch.fell_back", worker_id=worker_id, error=inbox.fell_back)
    for result in inbox.results:
        if result.outcome in (EventOutcome.RETRYING, EventOutcome.PARKED):
            log.warning(
                f"worker.event.{result.outcome.value}",
                worker_id=worker_id,
                event_id=result.event_id,
                error=result.error,
            )
    if inbox.claimed or outbox.sent or outbox.retrying or outbox.parked:
        log.info(
            "worker.pass.done",
            worker_id=worker_id,
            events=inbox.claimed,
            emails_sent=len(outbox.sent),
            emails_retrying=len(outbox.retrying),
            emails_parked=len(outbox.parked),
        )
    if inbox.released or outbox.released:
        log.info(
            "worker.claims.released",
            worker_id=worker_id,
            events=inbox.released,
            emails=outbox.released,
        )
