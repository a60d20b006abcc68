from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TypeVar

from application.ports.billing_event_source import BillingEventSource
from application.ports.clock import Clock
from domain.billing.customer import MirroredCustomer
from domain.billing.invoice import MirroredInvoice
from domain.billing.payment_method import MirroredPaymentMethod
from domain.billing.product import MirroredProduct
from domain.billing.subscription import MirroredSubscription
from domain.billing.version import SourceVersion

Record = (
    MirroredCustomer
    | MirroredProduct
    | MirroredSubscription
    | MirroredInvoice
    | MirroredPaymentMethod
)
R = TypeVar(
    "R",
    MirroredCustomer,
    MirroredProduct,
    MirroredSubscription,
    MirroredInvoice,
    MirroredPaymentMethod,
)
Owned = TypeVar("Owned", MirroredSubscription, MirroredInvoice, MirroredPaymentMethod)


class FakeBillingEventSource(BillingEventSource):
    """The provider: its current objects (``put`` one, or fill the dicts) and its event log.

    With a ``clock``, every read is stamped ``SourceVersion(clock.now())`` as Stripe's
    ``Date`` header would; without one, records come back as stored. ``failure`` is raised
    by every call; ``reads`` counts the records read; ``event_queries`` lists the
    ``(since, undelivered_only)`` of each ``list_events``.
    """

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock
        self.customers: dict[str, MirroredCustomer] = {}
        self.products: dict[str, MirroredProduct] = {}
        self.subscriptions: dict[str, MirroredSubscription] = {}
        self.invoices: dict[str, MirroredInvoice] = {}
        self.payment_methods: dict[str, MirroredPaymentMethod] = {}
        self.events: list[Mapping[str, object]] = []
        self.failure: Exception | None = None
        self.reads = 0
        self.event_queries: list[tuple[datetime, bool]] = []

    def put(self, record: Record) -> None:
        if isinstance(record, MirroredCustomer):
            self.customers[record.id] = record
        elif isinstance(record, MirroredProduct):
            self.products[record.id] = record
        elif isinstance(record, MirroredSubscription):
            self.subscriptions[record.id] = record
        elif isinstance(record, MirroredInvoice):
            self.invoices[record.id] = record
        else:
            self.payment_methods[record.id] = record

    def _check(self) -> None:
        if self.failure is not None:
            raise self.failure

    def _read(self, record: R | None) -> R | None:
        self._check()
        self.reads += 1
        if record is None or self.clock is None:
            return record
        return dataclasses.replace(record, version=SourceVersion(self.clock.now()))

    async def _each(
        self, records: Iterable[Owned], customer_id: str | None
    ) -> AsyncIterator[Owned]:
        self._check()
        for record in list(records):
            if customer_id in (None, record.customer_id):
                read = self._read(record)
                assert read is not None
                yield read

    async def retrieve_customer(self, customer_id: str) -> MirroredCustomer | None:
        return self._read(self.customers.get(customer_id))

    async def retrieve_product(self, product_id: str) -> MirroredProduct | None:
        return self._read(self.products.get(product_id))

    async def retrieve_subscription(self, subscription_id: str) -> MirroredSubscription | None:
        return self._read(self.subscriptions.get(subscription_id))

    async def retrieve_invoice(self, invoice_id: str) -> MirroredInvoice | None:
        return self._read(self.invoices.get(invoice_id))

    async def retrieve_payment_method(self, payment_method_id: str) -> MirroredPaymentMethod | None:
        return self._read(self.payment_methods.get(payment_method_id))

    async def list_events(
        self, *, since: datetime, undelivered_only: bool
    ) -> AsyncIterator[Mapping[str, object]]:
        self._check()
        self.event_queries.append((since, undelivered_only))
        for event in list(self.events):
            created = event["created"]
            assert isinstance(created, int | float)
            if created >= since.timestamp():
                yield event

    async def list_customers(self) -> AsyncIterator[MirroredCustomer]:
        self._check()
        for customer in list(self.customers.values()):
            read = self._read(customer)
            assert read is not None
            yield read

    async def list_products(self) -> AsyncIterator[MirroredProduct]:
        self._check()
        for product in list(self.products.values()):
            read = self._read(product)
            assert read is not None
            yield read

    def list_subscriptions(self, customer_id: str | None) -> AsyncIterator[MirroredSubscription]:
        return self._each(self.subscriptions.values(), customer_id)

    def list_invoices(self, customer_id: str | None) -> AsyncIterator[MirroredInvoice]:
        return self._each(self.invoices.values(), customer_id)

    def list_payment_methods(self, customer_id: str) -> AsyncIterator[MirroredPaymentMethod]:
        return self._each(self.payment_methods.values(), customer_id)

    # Pages of ``page_size`` records (the provider's pages); ``pages_served`` counts them.
    page_size = 100
    pages_served = 0

    async def _pages(self, records: AsyncIterator[R]) -> AsyncIterator[list[R]]:
        page: list[R] = []
        async for record in records:
            page.append(record)
            if len(page) == self.page_size:
                self.pages_served += 1
                yield page
                page = []
        if page:
            self.pages_served += 1
            yield page

    def product_pages(self) -> AsyncIterator[list[MirroredProduct]]:
        return self._pages(self.list_products())

    def customer_pages(self) -> AsyncIterator[list[MirroredCustomer]]:
        return self._pages(self.list_customers())

    def subscription_pages(
        self, customer_id: str | None
    ) -> AsyncIterator[list[MirroredSubscription]]:
        return self._pages(self.list_subscriptions(customer_id))

    def invoice_pages(self, customer_id: str | None) -> AsyncIterator[list[MirroredInvoice]]:
        return self._pages(self.list_invoices(customer_id))

    async def payment_methods_of(self, customer_ids: Sequence[str]) -> list[MirroredPaymentMethod]:
        found: list[MirroredPaymentMethod] = []
        for customer_id in customer_ids:
            found += [m async for m in self.list_payment_methods(customer_id)]
        return found
