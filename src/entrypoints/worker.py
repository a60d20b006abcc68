"""The sync worker: claim inbox events and send due emails, batch after batch.

Each batch runs in a fresh request scope (its own session and unit of work). Any number of
workers may run on PostgreSQL (claims use ``FOR UPDATE SKIP LOCKED``); on SQLite run one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
import uuid
from dataclasses import dataclass

import structlog
from dishka import AsyncContainer

from application.errors import ApplicationError
from application.sync.process_event import EventOutcome
from application.sync.process_inbox_batch import InboxBatchResult, ProcessInboxBatch
from application.sync.send_outbox_batch import OutboxBatchResult, SendOutboxBatch
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


class SyncWorker:
    """``run_pass`` once, ``drain`` until nothing is due, or ``run`` until ``stop`` is set
    (sleeping ``poll_seconds`` only when a pass found nothing; ``wakeup`` cuts the sleep)."""

    def __init__(
        self, container: AsyncContainer, settings: WorkerSettings, worker_id: str | None = None
    ) -> None:
        self._container, self._settings = container, settings
        self.worker_id = worker_id or default_worker_id()

    async def run_pass(self) -> PassResult:
        limit = self._settings.batch_size
        started = time.perf_counter()
        async with self._container() as request:
            inbox = await (await request.get(ProcessInboxBatch)).execute(
                worker_id=self.worker_id, limit=limit
            )
        record_inbox_batch(inbox, time.perf_counter() - started)
        started = time.perf_counter()
        async with self._container() as request:
            outbox = await (await request.get(SendOutboxBatch)).execute(
                worker_id=self.worker_id, limit=limit
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
                busy = (await self.run_pass()).busy
            except ApplicationError as error:  # e.g. the database is down: wait, try again
                log.warning("worker.pass.failed", worker_id=self.worker_id, error=error.message)
                busy = False
            except Exception:
                log.exception("worker.pass.crashed", worker_id=self.worker_id)
                busy = False
            if not busy:
                await _idle(stop, wakeup, self._settings.poll_seconds)
        log.info("worker.stopped", worker_id=self.worker_id)


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
