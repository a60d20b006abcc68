"""Use cases for operators: ``events list|show|replay|retry-failed``."""

from __future__ import annotations

from application.errors import EventNotFound
from application.ports.clock import Clock
from application.ports.event_inbox import EventInbox, EventStatus, InboxEvent
from application.ports.transaction_manager import TransactionManager


class InspectEvents:
    """Read the inbox, and put events back in the queue; the workers do the processing.
    A replayed event never sends an email twice (the outbox key is the event id)."""

    def __init__(self, inbox: EventInbox, clock: Clock, transaction: TransactionManager) -> None:
        self._inbox, self._clock, self._transaction = inbox, clock, transaction

    async def list(
        self, *, status: EventStatus | None = None, type: str | None = None, limit: int = 100
    ) -> list[InboxEvent]:
        return await self._inbox.list_events(status=status, type=type, limit=limit)

    async def show(self, event_id: str) -> InboxEvent:
        event = await self._inbox.get(event_id)
        if event is None:
            raise EventNotFound(f"no event {event_id!r} in the inbox; see `events list`")
        return event

    async def replay(self, event_id: str) -> None:
        if not await self._inbox.requeue(event_id, now=self._clock.now()):
            raise EventNotFound(f"no event {event_id!r} in the inbox; see `events list`")
        await self._transaction.commit()

    async def retry_failed(self) -> int:
        count = await self._inbox.requeue_failed(now=self._clock.now())
        await self._transaction.commit()
        return count
