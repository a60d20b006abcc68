"""Stripe as the source of truth for the billing mirror (retrieves, lists and events)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import quote

import stripe

from adapters.stripe import objects
from adapters.stripe.errors import stripe_errors
from adapters.stripe.lean_get import LeanGets
from adapters.stripe.objects import CUSTOMER_EXPAND, SUBSCRIPTION_EXPAND
from adapters.stripe.pagination import raw_pages
from adapters.stripe.reads import each_object, version_of_headers
from application.ports.billing_event_source import BillingEventSource
from domain.billing.customer import MirroredCustomer
from domain.billing.invoice import MirroredInvoice
from domain.billing.payment_method import MirroredPaymentMethod
from domain.billing.product import MirroredProduct
from domain.billing.subscription import MirroredSubscription
from domain.billing.version import SourceVersion

EVENT_RETENTION = timedelta(days=30)  # Stripe lists no older events
# Customers whose payment methods are listed at the same time (Stripe lists them one
# customer at a time). Kept well under Stripe's read limit (25 per second in test mode,
# 100 live): the SDK does not retry a 429, so a rate-limited backfill would stop.
PAYMENT_METHOD_CONCURRENCY = 3

R = TypeVar("R")
Parser = Callable[[Mapping[str, object], SourceVersion], R]


class StripeBillingEventSource(BillingEventSource):
    """Reads customers, subscriptions (all statuses), invoices, payment methods and events
    from Stripe's API v1, each record versioned by Stripe's ``Date`` header.

    Objects are translated by ``adapters.stripe.objects`` (as events are); customers come
    with their tax ids expanded. A deleted customer or product, or an object Stripe no
    longer has (``resource_missing``), is None.
    Lists follow every page lazily. Stripe errors become the application's own errors.
    """

    def __init__(self, client: stripe.StripeClient) -> None:
        self._v1 = client.v1
        # Reads without the SDK's per-request work when the client allows it.
        self._raw_get = LeanGets.of(client) or client.raw_request_async

    async def retrieve_customer(self, customer_id: str) -> MirroredCustomer | None:
        return await self._retrieve(
            "customer", "/v1/customers/", customer_id, {"expand": CUSTOMER_EXPAND}, objects.customer
        )

    async def retrieve_product(self, product_id: str) -> MirroredProduct | None:
        return await self._retrieve("product", "/v1/products/", product_id, {}, objects.product)

    async def retrieve_subscription(self, subscription_id: str) -> MirroredSubscription | None:
        return await self._retrieve(
            "subscription", "/v1/subscriptions/", subscription_id,
            {"expand": SUBSCRIPTION_EXPAND}, objects.subscription,
        )  # fmt: skip

    async def retrieve_invoice(self, invoice_id: str) -> MirroredInvoice | None:
        return await self._retrieve("invoice", "/v1/invoices/", invoice_id, {}, objects.invoice)

    async def retrieve_payment_method(self, payment_method_id: str) -> MirroredPaymentMethod | None:
        return await self._retrieve(
            "payment method", "/v1/payment_methods/", payment_method_id, {},
            objects.payment_method,
        )  # fmt: skip

    async def list_events(
        self, *, since: datetime, undelivered_only: bool
    ) -> AsyncIterator[Mapping[str, object]]:
        oldest = datetime.now(UTC) - EVENT_RETENTION
        params: dict[str, Any] = {"created": {"gte": int(max(since, oldest).timestamp())}}
        if undelivered_only:
            params["delivery_success"] = False
        with stripe_errors("list events", resource="events"):
            async for event, _ in each_object(self._v1.events.list_async, params):
                yield event

    async def list_customers(self) -> AsyncIterator[MirroredCustomer]:
        async for page in self.customer_pages():
            for record in page:
                yield record

    async def list_products(self) -> AsyncIterator[MirroredProduct]:
        async for page in self.product_pages():
            for record in page:
                yield record

    async def list_subscriptions(
        self, customer_id: str | None
    ) -> AsyncIterator[MirroredSubscription]:
        async for page in self.subscription_pages(customer_id):
            for record in page:
                yield record

    async def list_invoices(self, customer_id: str | None) -> AsyncIterator[MirroredInvoice]:
        async for page in self.invoice_pages(customer_id):
            for record in page:
                yield record

    async def list_payment_methods(self, customer_id: str) -> AsyncIterator[MirroredPaymentMethod]:
        async for page in self._payment_method_pages(customer_id):
            for record in page:
                yield record

    def customer_pages(self) -> AsyncIterator[list[MirroredCustomer]]:
        params = {"expand": [f"data.{e}" for e in CUSTOMER_EXPAND]}
        return self._pages("customers", "/v1/customers", params, objects.customer)

    def product_pages(self) -> AsyncIterator[list[MirroredProduct]]:
        return self._pages("products", "/v1/products", {}, objects.product)

    def subscription_pages(
        self, customer_id: str | None
    ) -> AsyncIterator[list[MirroredSubscription]]:
        # Without status=all Stripe leaves out canceled subscriptions.
        params = {"status": "all", "expand": [f"data.{e}" for e in SUBSCRIPTION_EXPAND]}
        return self._pages(
            "subscriptions", "/v1/subscriptions", _of_customer(params, customer_id),
            objects.subscription,
        )  # fmt: skip

    def invoice_pages(self, customer_id: str | None) -> AsyncIterator[list[MirroredInvoice]]:
        return self._pages(
            "invoices", "/v1/invoices", _of_customer({}, customer_id), objects.invoice
        )

    async def payment_methods_of(self, customer_ids: Sequence[str]) -> list[MirroredPaymentMethod]:
        """Each customer's list read by one of ``PAYMENT_METHOD_CONCURRENCY`` tasks; the
        records come back in the order of ``customer_ids``."""
        gate = asyncio.Semaphore(PAYMENT_METHOD_CONCURRENCY)

        async def of(customer_id: str) -> list[MirroredPaymentMethod]:
            async with gate:
                return [
                    record
                    async for page in self._payment_method_pages(customer_id)
                    for record in page
                ]

        found = await asyncio.gather(*(of(customer_id) for customer_id in customer_ids))
        return [record for records in found for record in records]

    def _payment_method_pages(self, customer_id: str) -> AsyncIterator[list[MirroredPaymentMethod]]:
        path = f"/v1/customers/{quote(customer_id, safe='')}/payment_methods"
        return self._pages("payment methods", path, {}, objects.payment_method)

    async def _retrieve(
        self, kind: str, path: str, object_id: str, params: dict[str, Any], parse: Parser[R]
    ) -> R | None:
        """``GET path + object_id`` read as raw JSON through the client's raw request (its
        auth, pinned version, retries and errors), versioned by its ``Date``: building the
        SDK's ``StripeObject`` and turning it back into a dict was 19.8% of a worker whose
        events refetch (45% in ``_retrieve``)."""
        with stripe_errors(f"retrieve {kind} {object_id}", resource=f"{kind}s"):
            try:
                response = await self._raw_get("get", path + quote(object_id, safe=""), **params)
            except stripe.InvalidRequestError as e:
                if e.code == "resource_missing":
                    return None
                raise
            data = response.data
            if not isinstance(data, dict):
                raise stripe.APIError(f"Stripe answered with no {kind} object", http_status=200)
        if data.get("deleted") is True:
            return None
        return parse(data, version_of_headers(response.headers))

    async def _pages(
        self, resource: str, path: str, params: dict[str, Any], parse: Parser[R]
    ) -> AsyncIterator[list[R]]:
        """Each page as records, read as raw JSON (building the SDK's ``StripeObject``s
        was a quarter of the backfill) and translated by ``adapters.stripe.objects``."""
        with stripe_errors(f"list {resource}", resource=resource):
            async for data, headers in raw_pages(self._raw_get, path, params):
                version = version_of_headers(headers)
                yield [parse(item, version) for item in data]


def _of_customer(params: dict[str, Any], customer_id: str | None) -> dict[str, Any]:
    return params if customer_id is None else {**params, "customer": customer_id}
