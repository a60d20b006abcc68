"""An in-memory Stripe as the mirror's source of truth (records and events) for CLI tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from dishka import Provider, Scope, provide

from application.ports.billing_event_source import BillingEventSource
from domain.billing.customer import MirroredCustomer
from domain.billing.invoice import MirroredInvoice
from domain.billing.payment_method import MirroredPaymentMethod
from domain.billing.subscription import MirroredSubscription


@dataclass
class FakeEventSource(BillingEventSource):
    customers: dict[str, MirroredCustomer] = field(default_factory=dict)
    subscriptions: dict[str, MirroredSubscription] = field(default_factory=dict)
    invoices: dict[str, MirroredInvoice] = field(default_factory=dict)
    payment_methods: dict[str, MirroredPaymentMethod] = field(default_factory=dict)
    events: list[Mapping[str, object]] = field(default_factory=list)
    failure: Exception | None = None
    event_queries: list[tuple[datetime, bool]] = field(default_factory=list)

    def _check(self) -> None:
        if self.failure is not None:
            raise self.failure

    async def retrieve_customer(self, customer_id: str) -> MirroredCustomer | None:
        self._check()
        return self.customers.get(customer_id)

    async def retrieve_subscription(self, subscription_id: str) -> MirroredSubscription | None:
        self._check()
        return self.subscriptions.get(subscription_id)

    async def retrieve_invoice(self, invoice_id: str) -> MirroredInvoice | None:
        self._check()
        return self.invoices.get(invoice_id)

    async def retrieve_payment_method(self, payment_method_id: str) -> MirroredPaymentMethod | None:
        self._check()
        return self.payment_methods.get(payment_method_id)

    async def list_events(
        self, *, since: datetime, undelivered_only: bool
    ) -> AsyncIterator[Mapping[str, object]]:
        self._check()
        self.event_queries.append((since, undelivered_only))
        for event in self.events:
            yield event

    async def list_customers(self) -> AsyncIterator[MirroredCustomer]:
        self._check()
        for customer in list(self.customers.values()):
            yield customer

    async def list_subscriptions(
        self, customer_id: str | None
    ) -> AsyncIterator[MirroredSubscription]:
        self._check()
        for sub in list(self.subscriptions.values()):
            if customer_id in (None, sub.customer_id):
                yield sub

    async def list_invoices(self, customer_id: str | None) -> AsyncIterator[MirroredInvoice]:
        self._check()
        for invoice in list(self.invoices.values()):
            if customer_id in (None, invoice.customer_id):
                yield invoice

    async def list_payment_methods(self, customer_id: str) -> AsyncIterator[MirroredPaymentMethod]:
        self._check()
        for method in list(self.payment_methods.values()):
            if method.customer_id == customer_id:
                yield method


class FakeEventSourceFamily(Provider):
    def __init__(self, fake: FakeEventSource) -> None:
        super().__init__(scope=Scope.APP)
        self._fake = fake

    @provide
    def events(self) -> BillingEventSource:
        return self._fake
