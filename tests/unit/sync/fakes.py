"""Hand-written in-memory fakes of the sync ports; a rollback restores the last commit."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta

from application.ports.billing_audit_log import BillingAuditEntry
from application.ports.billing_mirror import InvoiceCursor
from application.ports.configuration_mappings import ConfigurationMapping
from application.ports.event_inbox import EventStatus, InboxEvent
from application.ports.mailer import EmailMessage
from application.ports.outbox import OutboxMessage, OutboxStatus
from domain.billing.version import SourceVersion
from domain.customer import Customer


class FakeClock:
    def __init__(self, now: datetime = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


class Store:
    """Anything whose state a transaction can snapshot and restore."""

    def snapshot(self) -> object:
        return copy.deepcopy(self.__dict__)

    def restore(self, state: object) -> None:
        self.__dict__.update(copy.deepcopy(state))  # type: ignore[arg-type]


class FakeTransaction:
    def __init__(self, *stores: Store) -> None:
        self.stores = stores
        self.commits = 0
        self._saved = [s.snapshot() for s in stores]

    async def commit(self) -> None:
        self.commits += 1
        self._saved = [s.snapshot() for s in self.stores]

    async def rollback(self) -> None:
        for store, state in zip(self.stores, self._saved, strict=True):
            store.restore(state)


class FakeInbox(Store):
    def __init__(self) -> None:
        self.events: dict[str, InboxEvent] = {}

    async def store(self, event: InboxEvent) -> bool:
        if event.id in self.events:
            return False
        self.events[event.id] = event
        return True

    async def claim_due(self, *, worker_id, now, limit, lease_seconds):  # type: ignore[no-untyped-def]
        due = [
            e for e in self.events.values()
            if e.status is EventStatus.PENDING and (e.next_attempt_at or now) <= now
        ]  # fmt: skip
        due.sort(key=lambda e: (e.created, e.id))
        claimed = due[:limit]
        for e in claimed:  # the lease: not due again until it ends
            self.events[e.id] = dataclasses.replace(
                e, next_attempt_at=now + timedelta(seconds=lease_seconds)
            )
        return claimed

    def _set(self, event_id: str, **changes: object) -> None:
        self.events[event_id] = dataclasses.replace(self.events[event_id], **changes)  # type: ignore[arg-type]

    async def mark_processed(self, event_id: str, *, now: datetime) -> None:
        self._set(event_id, status=EventStatus.PROCESSED, processed_at=now)

    async def mark_ignored(self, event_id: str, *, now: datetime, note: str) -> None:
        self._set(event_id, status=EventStatus.IGNORED, processed_at=now, note=note)

    async def mark_failed(self, event_id, *, now, error, retry_at):  # type: ignore[no-untyped-def]
        status = EventStatus.PENDING if retry_at else EventStatus.FAILED
        attempts = self.events[event_id].attempts + 1
        self._set(
            event_id, status=status, attempts=attempts, next_attempt_at=retry_at, last_error=error
        )

    async def get(self, event_id: str) -> InboxEvent | None:
        return self.events.get(event_id)

    async def list_events(self, *, status=None, type=None, limit=100):  # type: ignore[no-untyped-def]
        found = [
            e for e in self.events.values() if status in (None, e.status) and type in (None, e.type)
        ]
        return sorted(found, key=lambda e: e.created, reverse=True)[:limit]

    async def requeue(self, event_id: str, *, now: datetime) -> bool:
        if event_id not in self.events:
            return False
        self._set(event_id, status=EventStatus.PENDING, attempts=0, next_attempt_at=now)
        return True

    async def requeue_failed(self, *, now: datetime) -> int:
        failed = [i for i, e in self.events.items() if e.status is EventStatus.FAILED]
        for i in failed:
            await self.requeue(i, now=now)
        return len(failed)

    async def known_ids(self, event_ids: list[str]) -> set[str]:
        return {i for i in event_ids if i in self.events}


class FakeMirror(Store):
    """``written`` holds our time of each save (the clock's), as the real table's updated_at."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.customers: dict = {}
        self.subscriptions: dict = {}
        self.invoices: dict = {}
        self.payment_methods: dict = {}
        self.written: dict[tuple[str, str], datetime] = {}

    def snapshot(self) -> object:  # the clock is not part of the state a rollback restores
        return copy.deepcopy({k: v for k, v in self.__dict__.items() if k != "clock"})

    def _wrote(self, kind: str, record_id: str) -> None:
        self.written[kind, record_id] = self.clock.now()

    async def get_customer(self, i):  # type: ignore[no-untyped-def]
        return self.customers.get(i)

    async def save_customer(self, r) -> None:  # type: ignore[no-untyped-def]
        self.customers[r.id] = r
        self._wrote("customer", r.id)

    async def get_subscription(self, i):  # type: ignore[no-untyped-def]
        return self.subscriptions.get(i)

    async def save_subscription(self, r) -> None:  # type: ignore[no-untyped-def]
        self.subscriptions[r.id] = r
        self._wrote("subscription", r.id)

    async def list_subscriptions(self, customer_id: str):  # type: ignore[no-untyped-def]
        return [s for s in self.subscriptions.values() if s.customer_id == customer_id]

    async def get_invoice(self, i):  # type: ignore[no-untyped-def]
        return self.invoices.get(i)

    async def save_invoice(self, r) -> None:  # type: ignore[no-untyped-def]
        self.invoices[r.id] = r
        self._wrote("invoice", r.id)

    async def list_invoices(
        self, customer_id: str, *, limit: int, after: InvoiceCursor | None = None
    ):  # type: ignore[no-untyped-def]
        rows = sorted(
            (i for i in self.invoices.values() if i.customer_id == customer_id),
            key=lambda i: (i.created, i.id), reverse=True,
        )  # fmt: skip
        if after is not None:
            rows = [i for i in rows if (i.created, i.id) < (after.created, after.invoice_id)]
        return rows[:limit]

    async def latest_invoices(self, customer_id: str):  # type: ignore[no-untyped-def]
        newest: dict = {}
        for i in sorted(self.invoices.values(), key=lambda i: (i.created, i.id)):
            if i.customer_id == customer_id and i.subscription_id:
                newest[i.subscription_id] = i
        return newest

    async def last_written_at(self, customer_id: str) -> datetime | None:
        owned = [
            ("customer", i) for i in self.customers if i == customer_id
        ] + [
            (kind, r.id)
            for kind, records in (
                ("subscription", self.subscriptions),
                ("invoice", self.invoices),
                ("payment_method", self.payment_methods),
            )
            for r in records.values()
            if r.customer_id == customer_id
        ]  # fmt: skip
        return max((self.written[key] for key in owned), default=None)

    async def get_payment_method(self, i):  # type: ignore[no-untyped-def]
        return self.payment_methods.get(i)

    async def save_payment_method(self, r) -> None:  # type: ignore[no-untyped-def]
        self.payment_methods[r.id] = r
        self._wrote("payment_method", r.id)


class FakeOutbox(Store):
    def __init__(self) -> None:
        self.messages: dict[str, OutboxMessage] = {}

    async def enqueue(self, message: OutboxMessage) -> bool:
        if message.key in self.messages:
            return False
        self.messages[message.key] = message
        return True

    async def claim_due(self, *, worker_id, now, limit, lease_seconds):  # type: ignore[no-untyped-def]
        due = [
            m for m in self.messages.values()
            if m.status is OutboxStatus.PENDING and (m.next_attempt_at or now) <= now
        ]  # fmt: skip
        for m in due[:limit]:
            self.messages[m.key] = dataclasses.replace(
                m, next_attempt_at=now + timedelta(seconds=lease_seconds)
            )
        return due[:limit]

    async def mark_sent(self, key: str, *, now: datetime) -> None:
        self.messages[key] = dataclasses.replace(
            self.messages[key], status=OutboxStatus.SENT, sent_at=now
        )

    async def mark_failed(self, key, *, now, error, retry_at):  # type: ignore[no-untyped-def]
        m = self.messages[key]
        status = OutboxStatus.PENDING if retry_at else OutboxStatus.FAILED
        self.messages[key] = dataclasses.replace(
            m, status=status, attempts=m.attempts + 1, next_attempt_at=retry_at, last_error=error
        )


class FakeEventSource:
    """The provider: its current objects, and its event log; reads are stamped ``read_at``."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.objects: dict[str, object] = {}
        self.events: list[Mapping[str, object]] = []
        self.reads = 0
        self.unavailable = False

    def put(self, record: object) -> None:
        self.objects[record.id] = record  # type: ignore[attr-defined]

    async def _read(self, object_id: str):  # type: ignore[no-untyped-def]
        from application.errors import ProviderUnavailable

        if self.unavailable:
            raise ProviderUnavailable("Stripe answered 503")
        self.reads += 1
        found = self.objects.get(object_id)
        if found is None:
            return None
        return dataclasses.replace(found, version=SourceVersion(self.clock.now()))  # type: ignore[type-var]

    retrieve_customer = retrieve_subscription = retrieve_invoice = retrieve_payment_method = _read

    async def list_events(self, *, since, undelivered_only):  # type: ignore[no-untyped-def]
        for e in self.events:
            if e["created"] >= since.timestamp():  # type: ignore[operator]
                yield e

    async def _list(self, kind: type, customer_id: str | None = None) -> AsyncIterator:  # type: ignore[type-arg]
        for object_id in list(self.objects):
            record = await self._read(object_id)
            if isinstance(record, kind) and customer_id in (
                None,
                getattr(record, "customer_id", None),
            ):
                yield record

    def list_customers(self):  # type: ignore[no-untyped-def]
        from domain.billing.customer import MirroredCustomer

        return self._list(MirroredCustomer)

    def list_subscriptions(self, customer_id):  # type: ignore[no-untyped-def]
        from domain.billing.subscription import MirroredSubscription

        return self._list(MirroredSubscription, customer_id)

    def list_invoices(self, customer_id):  # type: ignore[no-untyped-def]
        from domain.billing.invoice import MirroredInvoice

        return self._list(MirroredInvoice, customer_id)

    def list_payment_methods(self, customer_id):  # type: ignore[no-untyped-def]
        from domain.billing.payment_method import MirroredPaymentMethod

        return self._list(MirroredPaymentMethod, customer_id)


class FakeCustomers:
    def __init__(self, *customers: Customer) -> None:
        self.by_user = {c.user_id: c for c in customers}

    async def get(self, user_id: str) -> Customer | None:
        return self.by_user.get(user_id)

    async def get_by_stripe_customer_id(self, cid: str) -> Customer | None:
        return next((c for c in self.by_user.values() if c.stripe_customer_id == cid), None)

    async def save(self, customer: Customer) -> None:
        self.by_user[customer.user_id] = customer


class FakeMappings:
    def __init__(self, *mappings: ConfigurationMapping) -> None:
        self.by_name = {m.name: m for m in mappings}

    async def get(self, name: str) -> ConfigurationMapping | None:
        return self.by_name.get(name)

    async def list(self) -> list[ConfigurationMapping]:
        return list(self.by_name.values())

    async def save(self, mapping: ConfigurationMapping) -> None:
        self.by_name[mapping.name] = mapping


class FakeAudit(Store):
    def __init__(self) -> None:
        self.entries: list[BillingAuditEntry] = []

    async def record(self, entry: BillingAuditEntry) -> None:
        self.entries.append(entry)


class FakeMailer:
    def __init__(self, failures: int = 0) -> None:
        self.sent: list[EmailMessage] = []
        self.failures = failures

    async def send(self, message: EmailMessage) -> None:
        from application.errors import MailDeliveryFailed

        if self.failures:
            self.failures -= 1
            raise MailDeliveryFailed("421 try again later")
        self.sent.append(message)
