from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import ClassVar

from application.ports.billing_mirror import BillingMirror, InvoiceCursor
from application.ports.clock import Clock
from domain.billing.customer import MirroredCustomer
from domain.billing.invoice import MirroredInvoice
from domain.billing.payment_method import MirroredPaymentMethod
from domain.billing.product import MirroredProduct
from domain.billing.subscription import MirroredSubscription

from .transaction_manager import Snapshotted


class FakeBillingMirror(BillingMirror, Snapshotted):
    """Records by id; ``written`` holds our time of each save (the clock's), as the real
    table's ``updated_at`` does. Reads take no lock: one test runs one worker at a time."""

    _untracked: ClassVar[frozenset[str]] = frozenset({"clock"})

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.customers: dict[str, MirroredCustomer] = {}
        self.subscriptions: dict[str, MirroredSubscription] = {}
        self.invoices: dict[str, MirroredInvoice] = {}
        self.payment_methods: dict[str, MirroredPaymentMethod] = {}
        self.products: dict[str, MirroredProduct] = {}
        self.complete_since: dict[str, datetime] = {}  # customer id -> subscriptions complete at
        self.written: dict[tuple[str, str], datetime] = {}

    def _wrote(self, kind: str, record_id: str) -> None:
        self.written[kind, record_id] = self.clock.now()

    async def get_customer(self, customer_id: str) -> MirroredCustomer | None:
        return self.customers.get(customer_id)

    async def save_customer(self, customer: MirroredCustomer) -> None:
        self.customers[customer.id] = customer
        self._wrote("customer", customer.id)

    async def get_subscription(self, subscription_id: str) -> MirroredSubscription | None:
        return self.subscriptions.get(subscription_id)

    async def save_subscription(self, subscription: MirroredSubscription) -> None:
        self.subscriptions[subscription.id] = subscription
        self._wrote("subscription", subscription.id)

    async def list_subscriptions(self, customer_id: str) -> list[MirroredSubscription]:
        return [s for s in self.subscriptions.values() if s.customer_id == customer_id]

    async def get_invoice(self, invoice_id: str) -> MirroredInvoice | None:
        return self.invoices.get(invoice_id)

    async def save_invoice(self, invoice: MirroredInvoice) -> None:
        self.invoices[invoice.id] = invoice
        self._wrote("invoice", invoice.id)

    async def list_invoices(
        self, customer_id: str, *, limit: int, after: InvoiceCursor | None = None
    ) -> list[MirroredInvoice]:
        rows = sorted(
            (i for i in self.invoices.values() if i.customer_id == customer_id),
            key=lambda i: (i.created, i.id), reverse=True,
        )  # fmt: skip
        if after is not None:
            rows = [i for i in rows if (i.created, i.id) < (after.created, after.invoice_id)]
        return rows[:limit]

    async def latest_invoices(self, customer_id: str) -> Mapping[str, MirroredInvoice]:
        newest: dict[str, MirroredInvoice] = {}
        for invoice in sorted(self.invoices.values(), key=lambda i: (i.created, i.id)):
            if invoice.customer_id == customer_id and invoice.subscription_id:
                newest[invoice.subscription_id] = invoice
        return newest

    async def last_written_at(self, customer_id: str) -> datetime | None:
        owned = [("customer", customer_id)] if customer_id in self.customers else []
        owned += [("subscription", s.id) for s in await self.list_subscriptions(customer_id)]
        owned += [("invoice", i.id) for i in self.invoices.values() if i.customer_id == customer_id]
        owned += [
            ("payment_method", m.id)
            for m in self.payment_methods.values()
            if m.customer_id == customer_id
        ]
        return max((self.written[key] for key in owned), default=None)

    async def get_payment_method(self, payment_method_id: str) -> MirroredPaymentMethod | None:
        return self.payment_methods.get(payment_method_id)

    async def save_payment_method(self, payment_method: MirroredPaymentMethod) -> None:
        self.payment_methods[payment_method.id] = payment_method
        self._wrote("payment_method", payment_method.id)

    async def get_product(self, product_id: str) -> MirroredProduct | None:
        return self.products.get(product_id)

    async def save_product(self, product: MirroredProduct) -> None:
        self.products[product.id] = product
        self._wrote("product", product.id)

    async def product_names(self, product_ids: Iterable[str]) -> Mapping[str, str]:
        found = (self.products.get(i) for i in set(product_ids))
        return {p.id: p.name for p in found if p is not None and p.name is not None}

    async def mark_subscriptions_complete(
        self, customer_ids: Iterable[str], *, at: datetime
    ) -> None:
        for customer_id in customer_ids:
            self.complete_since[customer_id] = at

    async def subscriptions_complete(self, customer_id: str) -> bool:
        return customer_id in self.complete_since

    async def get_many_customers(self, ids: Iterable[str]) -> Mapping[str, MirroredCustomer]:
        return {i: self.customers[i] for i in set(ids) if i in self.customers}

    async def get_many_subscriptions(
        self, ids: Iterable[str]
    ) -> Mapping[str, MirroredSubscription]:
        return {i: self.subscriptions[i] for i in set(ids) if i in self.subscriptions}

    async def get_many_invoices(self, ids: Iterable[str]) -> Mapping[str, MirroredInvoice]:
        return {i: self.invoices[i] for i in set(ids) if i in self.invoices}

    async def get_many_payment_methods(
        self, ids: Iterable[str]
    ) -> Mapping[str, MirroredPaymentMethod]:
        return {i: self.payment_methods[i] for i in set(ids) if i in self.payment_methods}

    async def get_many_products(self, ids: Iterable[str]) -> Mapping[str, MirroredProduct]:
        return {i: self.products[i] for i in set(ids) if i in self.products}

    async def save_many_customers(self, records: Iterable[MirroredCustomer]) -> None:
        for record in records:
            await self.save_customer(record)

    async def save_many_subscriptions(self, records: Iterable[MirroredSubscription]) -> None:
        for record in records:
            await self.save_subscription(record)

    async def save_many_invoices(self, records: Iterable[MirroredInvoice]) -> None:
        for record in records:
            await self.save_invoice(record)

    async def save_many_payment_methods(self, records: Iterable[MirroredPaymentMethod]) -> None:
        for record in records:
            await self.save_payment_method(record)

    async def save_many_products(self, records: Iterable[MirroredProduct]) -> None:
        for record in records:
            await self.save_product(record)
