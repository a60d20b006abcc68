from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.billing.customer import MirroredCustomer
from domain.billing.invoice import MirroredInvoice
from domain.billing.payment_method import MirroredPaymentMethod
from domain.billing.product import MirroredProduct
from domain.billing.subscription import MirroredSubscription
from domain.customer import Customer


@dataclass(frozen=True, slots=True)
class InvoiceCursor:
    """Where a page of invoices ends: newest first by ``(created, id)``."""

    created: datetime
    invoice_id: str


@dataclass(frozen=True, slots=True)
class BillingPageRead:
    """What the billing page shows of one customer, as the mirror holds it."""

    customer: MirroredCustomer | None
    subscriptions: list[MirroredSubscription]  # every status, by (created, id)
    default_payment_method: MirroredPaymentMethod | None  # the customer's, detached or not
    latest_invoices: Mapping[str, MirroredInvoice]  # by subscription id, as latest_invoices
    product_names: Mapping[str, str]  # of the subscriptions' products, as product_names
    last_written_at: datetime | None  # as last_written_at


class BillingMirror(Protocol):
    """Our copy of the provider's billing objects, each with the version it reflects.

    ``get_*`` run inside the caller's unit of work and must lock the row they return
    (Postgres: ``SELECT ... FOR UPDATE``) so that read, decide and ``save_*`` are atomic
    against other workers; a concurrent insert of the same id makes the transaction fail,
    and the event is retried. ``save_*`` insert or replace by id. Nothing here commits.
    """

    async def get_customer(self, customer_id: str) -> MirroredCustomer | None: ...

    async def save_customer(self, customer: MirroredCustomer) -> None: ...

    async def get_subscription(self, subscription_id: str) -> MirroredSubscription | None: ...

    async def save_subscription(self, subscription: MirroredSubscription) -> None: ...

    async def list_subscriptions(self, customer_id: str) -> list[MirroredSubscription]:
        """Every subscription of the customer, all statuses, unlocked."""
        ...

    async def get_invoice(self, invoice_id: str) -> MirroredInvoice | None: ...

    async def save_invoice(self, invoice: MirroredInvoice) -> None: ...

    async def list_invoices(
        self, customer_id: str, *, limit: int, after: InvoiceCursor | None = None
    ) -> list[MirroredInvoice]:
        """Newest first by ``(created, id)``, strictly after ``after`` when given; unlocked."""
        ...

    async def latest_invoices(self, customer_id: str) -> Mapping[str, MirroredInvoice]:
        """Each of the customer's subscriptions' newest invoice by ``(created, id)``, keyed
        by subscription id (subscriptions without a mirrored invoice are absent); unlocked."""
        ...

    async def last_written_at(self, customer_id: str) -> datetime | None:
        """When we last wrote any mirrored row of the customer (the customer, their
        subscriptions, invoices and payment methods): our own clock, to the microsecond, not
        the provider's time. ``None`` when the mirror holds nothing for them; unlocked."""
        ...

    async def get_payment_method(self, payment_method_id: str) -> MirroredPaymentMethod | None: ...

    async def save_payment_method(self, payment_method: MirroredPaymentMethod) -> None: ...

    async def get_product(self, product_id: str) -> MirroredProduct | None: ...

    async def save_product(self, product: MirroredProduct) -> None: ...

    async def product_names(self, product_ids: Iterable[str]) -> Mapping[str, str]:
        """The names the mirror holds for these products (unnamed or unknown ones are
        absent); unlocked."""
        ...

    async def read_billing_page(self, customer_id: str) -> BillingPageRead:
        """Everything ``GET /api/billing/summary`` shows of the customer, without locking
        anything (the page only reads). This default composes the reads above; the database
        adapter reads it in a few round trips and takes no row lock."""
        customer = await self.get_customer(customer_id)
        subscriptions = await self.list_subscriptions(customer_id)
        method = None
        if customer is not None and customer.default_payment_method_id:
            method = await self.get_payment_method(customer.default_payment_method_id)
        return BillingPageRead(
            customer=customer,
            subscriptions=subscriptions,
            default_payment_method=method,
            latest_invoices=await self.latest_invoices(customer_id),
            product_names=await self.product_names(
                {p for s in subscriptions for p in s.product_ids()}
            ),
            last_written_at=await self.last_written_at(customer_id),
        )

    async def complete_subscriptions(self, customer_id: str) -> list[MirroredSubscription] | None:
        """``list_subscriptions`` when ``subscriptions_complete``, else ``None``; unlocked.
        The database adapter answers in one round trip."""
        if not await self.subscriptions_complete(customer_id):
            return None
        return await self.list_subscriptions(customer_id)

    async def mark_subscriptions_complete(
        self, customer_ids: Iterable[str], *, at: datetime
    ) -> None:
        """Record that the mirror now holds every subscription of these customers (a full
        read from the provider was stored, or we saw the customer being created)."""
        ...

    async def subscriptions_complete(self, customer_id: str) -> bool:
        """Whether the mirror may answer for all of the customer's subscriptions: until
        then a customer's mirrored subscriptions may be only those events told us of."""
        ...

    # A page at a time (the backfill): ``get_many_*`` is ``get_*`` of many ids in one read
    # (rows locked in id order; the ids not found are absent from the answer), and
    # ``save_many_*`` is ``save_*`` of many records.

    async def get_many_customers(self, ids: Iterable[str]) -> Mapping[str, MirroredCustomer]: ...

    async def get_many_subscriptions(
        self, ids: Iterable[str]
    ) -> Mapping[str, MirroredSubscription]: ...

    async def get_many_invoices(self, ids: Iterable[str]) -> Mapping[str, MirroredInvoice]: ...

    async def get_many_payment_methods(
        self, ids: Iterable[str]
    ) -> Mapping[str, MirroredPaymentMethod]: ...

    async def get_many_products(self, ids: Iterable[str]) -> Mapping[str, MirroredProduct]: ...

    async def save_many_customers(self, records: Iterable[MirroredCustomer]) -> None: ...

    async def save_many_subscriptions(self, records: Iterable[MirroredSubscription]) -> None: ...

    async def save_many_invoices(self, records: Iterable[MirroredInvoice]) -> None: ...

    async def save_many_payment_methods(self, records: Iterable[MirroredPaymentMethod]) -> None: ...

    async def save_many_products(self, records: Iterable[MirroredProduct]) -> None: ...


class LinkedBillingPages(Protocol):
    """A user's customer link and, when it names a customer, that customer's billing page,
    read together without locking anything (``GET /api/billing/summary``). The customer
    is always the one our link names: the caller passes only the user."""

    async def read(self, user_id: str) -> tuple[Customer | None, BillingPageRead | None]:
        """``(None, None)``: no link; ``(link, None)``: a link naming no customer."""
        ...
