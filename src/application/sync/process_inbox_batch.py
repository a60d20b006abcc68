"""Use case: one worker pass over the inbox."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from application.errors import ApplicationError
from application.ports.clock import Clock
from application.ports.event_inbox import EventInbox, InboxEvent
from application.ports.transaction_manager import TransactionManager
from application.sync.process_event import (
    EventFailedInBatch,
    EventOutcome,
    HandledEvent,
    ProcessEvent,
    ProcessEventResult,
)
from application.sync.settings import SyncSettings


@dataclass(frozen=True, slots=True)
class InboxBatchResult:
    results: tuple[ProcessEventResult, ...]
    released: int = 0  # claimed, then given back unprocessed because the worker is stopping
    # Why the batch's unit of work failed, its events then processed one by one; None if not.
    fell_back: str | None = None

    @property
    def claimed(self) -> int:
        return len(self.results)


class ProcessInboxBatch:
    """Claim up to ``limit`` due events for ``worker_id`` (committed, so other workers skip
    them), then process them all in ONE unit of work: the mirrored records the handlers
    read first read together (``ProcessEvent.prefetch``: one locking read per table),
    every event's handler, the inbox marks written together, one commit. An empty result means: idle. If an event fails
    (its handler, its payload, the provider), the batch is rolled back and run again with
    each event in a savepoint, so that the failing one undoes only its own work and is
    marked for a retry while the others commit (savepoints cost two round trips per
    event, so only a batch that needs them pays them).

    Results are returned only once the batch committed: nothing is reported for work that
    was rolled back. If the batch fails as a whole (a database failure in an event, or at
    the commit: a deadlock with another worker, a lost connection; or a bug), it is rolled
    back and the events it held are processed again one per unit of work, as
    ``ProcessEvent.execute`` does; those the worker no longer holds (a commit that succeeded although its answer
    was lost, a lease taken over) are skipped, so nothing is done twice. On a database
    without savepoints every event has its own unit of work.

    ``stopping`` is asked before each event: once it says yes (the worker got SIGTERM),
    the batch so far is committed, the rest of the claim is released for any worker at
    once (not after the lease) and the batch ends."""

    def __init__(
        self,
        inbox: EventInbox,
        process: ProcessEvent,
        clock: Clock,
        transaction: TransactionManager,
        settings: SyncSettings,
    ) -> None:
        self._inbox, self._process, self._clock = inbox, process, clock
        self._transaction, self._settings = transaction, settings

    async def execute(
        self, *, worker_id: str, limit: int = 50, stopping: Callable[[], bool] = lambda: False
    ) -> InboxBatchResult:
        claimed = await self._inbox.claim_due(
            worker_id=worker_id,
            now=self._clock.now(),
            limit=limit,
            lease_seconds=self._settings.lease_seconds,
        )
        await self._transaction.commit()
        if not claimed:
            return InboxBatchResult(())
        if not self._transaction.supports_savepoints:
            return await self._one_by_one(claimed, worker_id, stopping)
        try:
            try:
                return await self._batch(claimed, worker_id, stopping, isolated=False)
            except EventFailedInBatch:
                await self._transaction.rollback()
            return await self._batch(claimed, worker_id, stopping, isolated=True)
        except Exception as error:  # the database's failure, or a bug: nothing is lost
            await self._transaction.rollback()
            reason = error.message if isinstance(error, ApplicationError) else repr(error)
        held = await self._inbox.held_by(worker_id=worker_id, event_ids=[e.id for e in claimed])
        await self._transaction.commit()
        still = [e for e in claimed if e.id in held]
        result = await self._one_by_one(still, worker_id, stopping)
        return InboxBatchResult(result.results, result.released, fell_back=reason)

    async def _batch(
        self,
        claimed: list[InboxEvent],
        worker_id: str,
        stopping: Callable[[], bool],
        *,
        isolated: bool,
    ) -> InboxBatchResult:
        handled: list[HandledEvent] = []
        released = 0
        await self._process.prefetch(claimed)
        for event in claimed:
            if stopping():
                break
            handled.append(await self._process.handle_in_batch(event, isolated=isolated))
        await self._process.mark(handled)
        if len(handled) < len(claimed):
            released = await self._inbox.release_claims(worker_id=worker_id)
        await self._transaction.commit()
        results = (self._process.result(h.event, h.outcome, _error(h)) for h in handled)
        return InboxBatchResult(tuple(results), released)

    async def _one_by_one(
        self, events: list[InboxEvent], worker_id: str, stopping: Callable[[], bool]
    ) -> InboxBatchResult:
        results: list[ProcessEventResult] = []
        for event in events:
            if stopping():
                released = await self._inbox.release_claims(worker_id=worker_id)
                await self._transaction.commit()
                return InboxBatchResult(tuple(results), released)
            results.append(await self._process.execute(event))
        return InboxBatchResult(tuple(results))


def _error(handled: HandledEvent) -> str | None:
    failed = handled.outcome in (EventOutcome.RETRYING, EventOutcome.PARKED)
    return handled.detail if failed else None
