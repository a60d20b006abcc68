from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from domain.billing.customer import MirroredCustomer
from domain.billing.invoice import MirroredInvoice
from domain.billing.payment_method import MirroredPaymentMethod
from domain.billing.product import MirroredProduct
from domain.billing.subscription import MirroredSubscription


class BillingEventSource(Protocol):
    """The provider as the source of truth for the mirror (Stripe).

    Records come back with ``version = SourceVersion(at=<provider clock at the read>,
    event_id=None)``: the HTTP ``Date`` header, not our clock. The adapter translates the
    provider's objects (the same translation as its events use). ``retrieve_*`` return
    ``None`` when the provider no longer knows the object. Customers come with their tax
    ids. Raises ``ProviderUnavailable`` / ``ProviderMisconfigured``.
    """

    async def retrieve_customer(self, customer_id: str) -> MirroredCustomer | None: ...

    async def retrieve_product(self, product_id: str) -> MirroredProduct | None: ...

    async def retrieve_subscription(self, subscription_id: str) -> MirroredSubscription | None: ...

    async def retrieve_invoice(self, invoice_id: str) -> MirroredInvoice | None: ...

    async def retrieve_payment_method(
        self, payment_method_id: str
    ) -> MirroredPaymentMethod | None: ...

    def list_events(
        self, *, since: datetime, undelivered_only: bool
    ) -> AsyncIterator[Mapping[str, object]]:
        """Every event created at or after ``since`` (Stripe keeps 30 days), as the event
        JSON a webhook would carry; ``undelivered_only`` sends ``delivery_success=false``."""
        ...

    def list_customers(self) -> AsyncIterator[MirroredCustomer]:
        """Every customer, all pages."""
        ...

    def list_products(self) -> AsyncIterator[MirroredProduct]:
        """Every product (active or not), all pages."""
        ...

    def list_subscriptions(self, customer_id: str | None) -> AsyncIterator[MirroredSubscription]:
        """Every subscription (``status=all``), of one customer or of all, all pages."""
        ...

    def list_invoices(self, customer_id: str | None) -> AsyncIterator[MirroredInvoice]: ...

    def list_payment_methods(self, customer_id: str) -> AsyncIterator[MirroredPaymentMethod]:
        """The customer's attached payment methods, all types, all pages."""
        ...

    # Pages, for the backfill: each list is one page of the provider's list (up to 100
    # records, all read at the same time), so a caller can store and commit a page at once.

    def product_pages(self) -> AsyncIterator[list[MirroredProduct]]:
        """``list_products``, a page at a time."""
        ...

    def customer_pages(self) -> AsyncIterator[list[MirroredCustomer]]:
        """``list_customers``, a page at a time."""
        ...

    def subscription_pages(
        self, customer_id: str | None
    ) -> AsyncIterator[list[MirroredSubscription]]:
        """``list_subscriptions``, a page at a time."""
        ...

    def invoice_pages(self, customer_id: str | None) -> AsyncIterator[list[MirroredInvoice]]:
        """``list_invoices``, a page at a time."""
        ...

    async def payment_methods_of(self, customer_ids: Sequence[str]) -> list[MirroredPaymentMethod]:
        """``list_payment_methods`` of each of these customers (the provider lists them one
        customer at a time; the adapter may read several customers concurrently)."""
        ...
