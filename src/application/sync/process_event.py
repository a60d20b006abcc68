"""Use case: process one inbox event in its own unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from application.ports.billing_audit_log import BillingAuditLog
from application.ports.billing_event_source import BillingEventSource
from application.ports.billing_mirror import BillingMirror
from application.ports.clock import Clock
from application.ports.configuration_mappings import ConfigurationMappings
from application.ports.customer_directory import CustomerDirectory
from application.ports.event_inbox import EventInbox, InboxEvent
from application.ports.outbox import Outbox
from application.ports.transaction_manager import TransactionManager
from application.sync.backoff import next_attempt
from application.sync.errors import InvalidEvent
from application.sync.events import parse_event
from application.sync.handlers import EventHandler
from application.sync.handlers.context import SyncContext
from application.sync.handlers.customers import CustomerEvents
from application.sync.handlers.invoices import InvoiceEvents
from application.sync.handlers.payment_methods import PaymentMethodEvents
from application.sync.handlers.portal import PortalConfigurationEvents, PortalSessionEvents
from application.sync.handlers.subscriptions import SubscriptionEvents
from application.sync.notifier import Notifier
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


class ProcessEvent:
    """Run the handler for the event's type, mark the event and commit, all at once.

    The mirror change, the emails it queues and the inbox status commit together. An
    unknown type is marked ignored. A failure rolls the work back and schedules a retry
    with exponential backoff; after ``max_attempts`` the event is parked as failed.
    """

    def __init__(
        self,
        inbox: EventInbox,
        mirror: BillingMirror,
        source: BillingEventSource,
        outbox: Outbox,
        customers: CustomerDirectory,
        mappings: ConfigurationMappings,
        audit: BillingAuditLog,
        clock: Clock,
        transaction: TransactionManager,
        settings: SyncSettings,
    ) -> None:
        self._inbox, self._clock, self._transaction = inbox, clock, transaction
        self._settings = settings
        notifier = Notifier(outbox, mirror, customers, source, clock)
        ctx = SyncContext(mirror, source, notifier, mappings, audit, clock, settings)
        self._handlers: dict[str, EventHandler] = {}
        for family in (
            CustomerEvents(ctx),
            SubscriptionEvents(ctx),
            PaymentMethodEvents(ctx),
            InvoiceEvents(ctx),
            PortalConfigurationEvents(ctx),
            PortalSessionEvents(ctx),
        ):
            self._handlers.update(dict.fromkeys(family.TYPES, family))

    def handles(self, event_type: str) -> bool:
        return event_type in self._handlers

    async def execute(self, event: InboxEvent) -> ProcessEventResult:
        handler = self._handlers.get(event.type)
        try:
            if handler is None:
                note = f"no handler for {event.type!r}"
                await self._inbox.mark_ignored(event.id, now=self._clock.now(), note=note)
                await self._transaction.commit()
                return ProcessEventResult(event.id, EventOutcome.IGNORED)
            await handler.handle(parse_event(event.payload))
            await self._inbox.mark_processed(event.id, now=self._clock.now())
            await self._transaction.commit()
        except Exception as error:  # any failure: undo everything, keep the event for later
            return await self._failed(event, error)
        return ProcessEventResult(event.id, EventOutcome.PROCESSED)

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
        return ProcessEventResult(event.id, outcome, described)
