"""Use case: process one inbox event in its own unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from application.errors import InvalidEvent
from application.ports.billing_event_translator import BillingEventTranslator
from application.ports.clock import Clock
from application.ports.event_inbox import EventInbox, InboxEvent
from application.ports.transaction_manager import TransactionManager
from application.sync.backoff import next_attempt
from application.sync.handlers.registry import EventHandlers
from application.sync.settings import SyncSettings


class EventOutcome(StrEnum):
    PROCESSED = "processed"
    IGNORED = "ignored"
    RETRYING = "retrying"
    PARKED = "parked"


@dataclass(frozen=True, slots=True)
class ProcessEventResult:
    event_id: str
    outcome: EventOutcome
    error: str | None = None
    # When the webhook arrived and when this attempt ended: the event's processing lag.
    received_at: datetime | None = None
    finished_at: datetime | None = None


class ProcessEvent:
    """Translate the stored event, run the handler registered for its type, mark the
    event and commit, all at once.

    The mirror change, the emails it queues and the inbox status commit together. A type
    no handler is registered for is marked ignored. A failure rolls the work back and
    schedules a retry with exponential backoff; after ``max_attempts`` the event is parked as failed.
    """

    def __init__(
        self,
        inbox: EventInbox,
        translator: BillingEventTranslator,
        handlers: EventHandlers,
        clock: Clock,
        transaction: TransactionManager,
        settings: SyncSettings,
    ) -> None:
        self._inbox, self._translator, self._handlers = inbox, translator, handlers
        self._clock, self._transaction, self._settings = clock, transaction, settings

    async def execute(self, event: InboxEvent) -> ProcessEventResult:
        try:
            typed = self._translator.translate(event.payload)
            handler = self._handlers.handler_for(typed)
            if handler is None:
                note = f"no handler for {event.type!r}"
                await self._inbox.mark_ignored(event.id, now=self._clock.now(), note=note)
                await self._transaction.commit()
                return self._result(event, EventOutcome.IGNORED)
            await handler.handle(typed)
            await self._inbox.mark_processed(event.id, now=self._clock.now())
            await self._transaction.commit()
        except Exception as error:  # any failure: undo everything, keep the event for later
            return await self._failed(event, error)
        return self._result(event, EventOutcome.PROCESSED)

    def _result(
        self, event: InboxEvent, outcome: EventOutcome, error: str | None = None
    ) -> ProcessEventResult:
        return ProcessEventResult(event.id, outcome, error, event.received_at, self._clock.now())

    async def _failed(self, event: InboxEvent, error: Exception) -> ProcessEventResult:
        await self._transaction.rollback()
        now = self._clock.now()
        described = f"{type(error).__name__}: {error}"[:2000]
        retry_at = (
            None
            if isinstance(error, InvalidEvent)
            else next_attempt(event.attempts, now, self._settings)
        )
        await self._inbox.mark_failed(event.id, now=now, error=described, retry_at=retry_at)
        await self._transaction.commit()
        outcome = EventOutcome.PARKED if retry_at is None else EventOutcome.RETRYING
        return self._result(event, outcome, described)
