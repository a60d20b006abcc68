"""Use case: one worker pass over the inbox."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from application.ports.clock import Clock
from application.ports.event_inbox import EventInbox
from application.ports.transaction_manager import TransactionManager
from application.sync.process_event import ProcessEvent, ProcessEventResult
from application.sync.settings import SyncSettings


@dataclass(frozen=True, slots=True)
class InboxBatchResult:
    results: tuple[ProcessEventResult, ...]
    released: int = 0  # claimed, then given back unprocessed because the worker is stopping

    @property
    def claimed(self) -> int:
        return len(self.results)


class ProcessInboxBatch:
    """Claim up to ``limit`` due events for ``worker_id`` (committed, so other workers skip
    them), then process each in its own unit of work. An empty result means: idle.

    ``stopping`` is asked before each event: once it says yes (the worker got SIGTERM),
    the event in hand is finished, the rest of the claim is released for any worker at
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
        results: list[ProcessEventResult] = []
        for event in claimed:
            if stopping():
                released = await self._inbox.release_claims(worker_id=worker_id)
                await self._transaction.commit()
                return InboxBatchResult(tuple(results), released)
            results.append(await self._process.execute(event))
        return InboxBatchResult(tuple(results))
