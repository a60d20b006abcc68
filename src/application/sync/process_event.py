"""Use case: process one inbox event, in its own unit of work or in a batch's."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from application.errors import InvalidEvent, PersistenceUnavailable
from application.ports.billing_event_translator import BillingEventTranslator
from application.ports.billing_mirror import BillingMirror
from application.ports.clock import Clock
from application.ports.event_inbox import EventInbox, InboxEvent
from application.ports.transaction_manager import TransactionManager
from application.sync.backoff import next_attempt
from application.sync.handlers.registry import EventHandlers
from application.sync.provider_reads import ProviderReads
from application.sync.reconcile import Versioned
from application.sync.settings import SyncSettings
from domain.billing.events import (
    BillingEvent,
    CustomerChanged,
    InvoiceChanged,
    PaymentMethodChanged,
    SubscriptionChanged,
)
from domain.billing.version import SourceVersion, Verdict, should_apply


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


@dataclass(frozen=True, slots=True)
class HandledEvent:
    """What ``handle_in_batch`` did with an event: its handler's work is in the batch's
    unit of work, the inbox mark is still to be written (``mark``), nothing is committed."""

    event: InboxEvent
    outcome: EventOutcome
    detail: str | None = None  # the note of an ignored event, the error of a failed one
    retry_at: datetime | None = None


class EventFailedInBatch(Exception):
    """An event failed in a batch without savepoints: the batch holds part of its work."""


_NO_SAVEPOINT = contextlib.nullcontext()


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
        mirror: BillingMirror,
        reads: ProviderReads,
    ) -> None:
        self._inbox, self._translator, self._handlers = inbox, translator, handlers
        self._clock, self._transaction, self._settings = clock, transaction, settings
        self._mirror, self._reads = mirror, reads
        self._translated: dict[str, BillingEvent] = {}  # event id -> translation, see prefetch

    async def prefetch(self, events: Sequence[InboxEvent]) -> None:
        """Before a batch's events are handled: read, in one statement per table, the
        mirrored records their handlers read first (a customer, subscription, invoice or
        payment method, and a card's customer), locked as each handler's own read would
        (in id order); the handlers then find them without a round trip each. Then the
        objects whose events the ordering rule will settle by reading them from the
        provider (an event in the same second as the mirror's state or as an earlier event
        of the batch, or every event with ``always_refetch``) are read, concurrently
        (``ProviderReads``): a batch no longer waits for one provider round trip after
        another. Keeps the translations for ``handle_in_batch``; an event that does not
        translate is left to it (which reports the failure). A database failure
        propagates, as in a handler."""
        self._reads.forget()
        wanted: dict[str, set[str]] = {}
        translated: list[BillingEvent] = []
        for event in events:
            try:
                typed = self._translator.translate(event.payload)
            except Exception:  # noqa: S112 (handle_in_batch reports it)
                continue
            self._translated[event.id] = typed
            translated.append(typed)
            for kind, record_id in _first_reads(typed):
                wanted.setdefault(kind, set()).add(record_id)
        reads: dict[str, Callable[[Iterable[str]], Awaitable[Mapping[str, Versioned]]]] = {
            "customers": self._mirror.get_many_customers,
            "subscriptions": self._mirror.get_many_subscriptions,
            "invoices": self._mirror.get_many_invoices,
            "payment_methods": self._mirror.get_many_payment_methods,
        }
        found: dict[tuple[str, str], SourceVersion] = {}
        for kind, read in reads.items():
            if wanted.get(kind):
                for record_id, record in (await read(wanted[kind])).items():
                    found[kind, record_id] = record.version
        always = self._settings.always_refetch
        await self._reads.read_ahead(_refetched(translated, found, always_refetch=always))

    async def execute(self, event: InboxEvent) -> ProcessEventResult:
        """The event in its own unit of work, committed (or its failure recorded)."""
        self._reads.forget()  # read before this unit of work's locks: not to be trusted
        try:
            typed = self._translator.translate(event.payload)
            handler = self._handlers.handler_for(typed)
            if handler is None:
                note = f"no handler for {event.type!r}"
                await self._inbox.mark_ignored(event.id, now=self._clock.now(), note=note)
                await self._transaction.commit()
                return self.result(event, EventOutcome.IGNORED)
            await handler.handle(typed)
            await self._inbox.mark_processed(event.id, now=self._clock.now())
            await self._transaction.commit()
        except Exception as error:  # any failure: undo everything, keep the event for later
            return await self._failed(event, error)
        return self.result(event, EventOutcome.PROCESSED)

    async def handle_in_batch(self, event: InboxEvent, *, isolated: bool) -> HandledEvent:
        """The event's handler in the caller's unit of work; neither marked nor committed
        (the caller writes ``mark`` and commits the batch).

        ``isolated``: inside a savepoint, so that a failure of the event's own (a handler
        error, an invalid payload, the provider unreachable) undoes only this event's work
        and comes back as RETRYING or PARKED. Not isolated (no savepoint round trips), such
        a failure raises ``EventFailedInBatch``: the caller's unit of work holds part of
        the event's work and must be rolled back. Either way a database failure
        (``PersistenceUnavailable``: a lost connection, a deadlock, another worker's
        concurrent insert) propagates: the caller's unit of work is not to be trusted,
        and an immediate retry in a fresh one may well succeed.
        """
        try:
            async with self._transaction.savepoint() if isolated else _NO_SAVEPOINT:
                typed = self._translated.pop(event.id, None)
                if typed is None:
                    typed = self._translator.translate(event.payload)
                handler = self._handlers.handler_for(typed)
                if handler is None:
                    note = f"no handler for {event.type!r}"
                    return HandledEvent(event, EventOutcome.IGNORED, note)
                await handler.handle(typed)
        except PersistenceUnavailable:
            raise
        except Exception as error:
            if not isolated:
                raise EventFailedInBatch(event.id) from error
            described, retry_at = self._failure(event, error)
            outcome = EventOutcome.PARKED if retry_at is None else EventOutcome.RETRYING
            return HandledEvent(event, outcome, described, retry_at)
        return HandledEvent(event, EventOutcome.PROCESSED)

    async def mark(self, handled: list[HandledEvent]) -> None:
        """Write the inbox status of ``handled`` events in the caller's unit of work: the
        processed ones in one statement, the ignored ones in one per note."""
        now = self._clock.now()
        processed = [h.event.id for h in handled if h.outcome is EventOutcome.PROCESSED]
        await self._inbox.mark_processed_many(processed, now=now)
        ignored: dict[str, list[str]] = {}
        for h in handled:
            if h.outcome is EventOutcome.IGNORED:
                ignored.setdefault(h.detail or "", []).append(h.event.id)
            elif h.outcome is not EventOutcome.PROCESSED:
                await self._inbox.mark_failed(
                    h.event.id, now=now, error=h.detail or "", retry_at=h.retry_at
                )
        for note, event_ids in ignored.items():
            await self._inbox.mark_ignored_many(event_ids, now=now, note=note)

    def result(
        self, event: InboxEvent, outcome: EventOutcome, error: str | None = None
    ) -> ProcessEventResult:
        return ProcessEventResult(event.id, outcome, error, event.received_at, self._clock.now())

    def _failure(self, event: InboxEvent, error: Exception) -> tuple[str, datetime | None]:
        """The error as stored, and when to try again (None: park it)."""
        described = f"{type(error).__name__}: {error}"[:2000]
        if isinstance(error, InvalidEvent):
            return described, None
        return described, next_attempt(event.attempts, self._clock.now(), self._settings)

    async def _failed(self, event: InboxEvent, error: Exception) -> ProcessEventResult:
        await self._transaction.rollback()
        described, retry_at = self._failure(event, error)
        await self._inbox.mark_failed(
            event.id, now=self._clock.now(), error=described, retry_at=retry_at
        )
        await self._transaction.commit()
        outcome = EventOutcome.PARKED if retry_at is None else EventOutcome.RETRYING
        return self.result(event, outcome, described)


def _first_reads(typed: BillingEvent) -> Iterator[tuple[str, str]]:
    """The mirrored records the handler of ``typed`` reads first, as (table, id)."""
    if isinstance(typed, CustomerChanged):
        yield "customers", typed.customer.id
    elif isinstance(typed, SubscriptionChanged):
        yield "subscriptions", typed.subscription.id
    elif isinstance(typed, InvoiceChanged):
        yield "invoices", typed.invoice.id
    elif isinstance(typed, PaymentMethodChanged):
        yield "payment_methods", typed.payment_method.id
        if typed.payment_method.customer_id:
            yield "customers", typed.payment_method.customer_id


def _reconciled(typed: BillingEvent) -> tuple[str, str, SourceVersion] | None:
    """The record whose state the handler of ``typed`` reconciles: (table, id, version)."""
    if isinstance(typed, CustomerChanged):
        return "customers", typed.customer.id, typed.customer.version
    if isinstance(typed, SubscriptionChanged):
        return "subscriptions", typed.subscription.id, typed.subscription.version
    if isinstance(typed, InvoiceChanged):
        return "invoices", typed.invoice.id, typed.invoice.version
    if isinstance(typed, PaymentMethodChanged):
        method = typed.payment_method
        return "payment_methods", method.id, method.version
    return None


def _refetched(
    events: Sequence[BillingEvent],
    mirrored: dict[tuple[str, str], SourceVersion],
    *,
    always_refetch: bool,
) -> Iterator[tuple[str, str]]:
    """The (table, id) of each object the ordering rule will read from the provider as
    the batch's ``events`` are handled in order, starting from the ``mirrored`` versions:
    a forecast (a handler decides on what it reads then, and reads whatever was not read
    ahead); an object is read once."""
    state: dict[tuple[str, str], SourceVersion | None] = dict(mirrored)
    refetched: set[tuple[str, str]] = set()
    for typed in events:
        target = _reconciled(typed)
        if target is None:
            continue
        kind, record_id, incoming = target
        key = (kind, record_id)
        if key in refetched:
            continue
        verdict = should_apply(state.get(key), incoming, always_refetch=always_refetch)
        if verdict is Verdict.REFETCH:
            refetched.add(key)
            yield key
        elif verdict is Verdict.APPLY:
            state[key] = incoming
