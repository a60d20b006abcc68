"""Use case: find provider events the inbox never received and queue them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from application.errors import InvalidEvent
from application.ports.billing_event_source import BillingEventSource
from application.ports.billing_event_translator import BillingEventTranslator
from application.ports.clock import Clock
from application.ports.event_inbox import EventInbox, InboxEvent
from application.ports.transaction_manager import TransactionManager

RETENTION = timedelta(days=30)  # Stripe forgets events after this


@dataclass(frozen=True, slots=True)
class RecoverEventsResult:
    seen: int
    recovered: tuple[str, ...]


class RecoverEvents:
    """List the provider's events since ``since`` (at most 30 days back) and store the
    missing ones in the inbox, where the workers process them like any delivery.
    ``undelivered_only`` asks only for events whose webhook delivery failed."""

    def __init__(
        self,
        inbox: EventInbox,
        source: BillingEventSource,
        translator: BillingEventTranslator,
        clock: Clock,
        transaction: TransactionManager,
    ) -> None:
        self._inbox, self._source, self._translator = inbox, source, translator
        self._clock, self._transaction = clock, transaction

    async def execute(
        self, *, since: datetime | None = None, undelivered_only: bool = False
    ) -> RecoverEventsResult:
        now = self._clock.now()
        since = max(since or now - RETENTION, now - RETENTION)
        seen = 0
        recovered: list[str] = []
        async for payload in self._source.list_events(
            since=since, undelivered_only=undelivered_only
        ):
            seen += 1
            try:
                event = self._translator.envelope(payload)
            except InvalidEvent:
                continue
            if await self._inbox.known_ids([event.id]):
                continue
            stored = InboxEvent(
                id=event.id,
                type=event.type,
                created=event.version.at,
                livemode=event.livemode,
                payload=payload,
                received_at=now,
                next_attempt_at=now,
            )
            if await self._inbox.store(stored):
                recovered.append(event.id)
                await self._transaction.commit()
        return RecoverEventsResult(seen, tuple(recovered))
