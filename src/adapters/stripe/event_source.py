"""Stripe as the source of truth for the billing mirror (retrieves, lists and events)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import stripe

from adapters.stripe import objects
from adapters.stripe.errors import stripe_errors
from adapters.stripe.objects import CUSTOMER_EXPAND, SUBSCRIPTION_EXPAND
from adapters.stripe.pagination import ListPage
from adapters.stripe.reads import each_object, read_version
from application.ports.billing_event_source import BillingEventSource
from domain.billing.customer import MirroredCustomer
from domain.billing.invoice import MirroredInvoice
from domain.billing.payment_method import MirroredPaymentMethod
from domain.billing.product import MirroredProduct
from domain.billing.subscription import MirroredSubscription
from domain.billing.version import SourceVersion

EVENT_RETENTION = timedelta(days=30)  # Stripe lists no older events

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

    async def retrieve_customer(self, customer_id: str) -> MirroredCustomer | None:
        return await self._retrieve(
            "customer", customer_id, self._v1.customers.retrieve_async,
            {"expand": CUSTOMER_EXPAND}, objects.customer,
        )  # fmt: skip

    async def retrieve_product(self, product_id: str) -> MirroredProduct | None:
        return await self._retrieve(
            "product", product_id, self._v1.products.retrieve_async, {}, objects.product
        )

    async def retrieve_subscription(self, subscription_id: str) -> MirroredSubscription | None:
        return await self._retrieve(
            "subscription", subscription_id, self._v1.subscriptions.retrieve_async,
            {"expand": SUBSCRIPTION_EXPAND}, objects.subscription,
        )  # fmt: skip

    async def retrieve_invoice(self, invoice_id: str) -> MirroredInvoice | None:
        return await self._retrieve(
            "invoice", invoice_id, self._v1.invoices.retrieve_async, {}, objects.invoice
        )

    async def retrieve_payment_method(self, payment_method_id: str) -> MirroredPaymentMethod | None:
        return await self._retrieve(
            "payment method", payment_method_id, self._v1.payment_methods.retrieve_async,
            {}, objects.payment_method,
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

    def list_customers(self) -> AsyncIterator[MirroredCustomer]:
        params = {"expand": [f"data.{e}" for e in CUSTOMER_EXPAND]}
        return self._list("customers", self._v1.customers.list_async, params, objects.customer)

    def list_products(self) -> AsyncIterator[MirroredProduct]:
        return self._list("products", self._v1.products.list_async, {}, objects.product)

    def list_subscriptions(self, customer_id: str | None) -> AsyncIterator[MirroredSubscription]:
        # Without status=all Stripe leaves out canceled subscriptions.
        params = {"status": "all", "expand": [f"data.{e}" for e in SUBSCRIPTION_EXPAND]}
        return self._list(
            "subscriptions", self._v1.subscriptions.list_async,
            _of_customer(params, customer_id), objects.subscription,
        )  # fmt: skip

    def list_invoices(self, customer_id: str | None) -> AsyncIterator[MirroredInvoice]:
        return self._list(
            "invoices",
            self._v1.invoices.list_async,
            _of_customer({}, customer_id),
            objects.invoice,
        )

    def list_payment_methods(self, customer_id: str) -> AsyncIterator[MirroredPaymentMethod]:
        async def fetch(params: dict[str, Any]) -> Any:
            return await self._v1.customers.payment_methods.list_async(customer_id, _any(params))

        return self._list("payment methods", fetch, {}, objects.payment_method)

    async def _retrieve(
        self,
        kind: str,
        object_id: str,
        fetch: Callable[..., Awaitable[Any]],
        params: dict[str, Any],
        parse: Parser[R],
    ) -> R | None:
        with stripe_errors(f"retrieve {kind} {object_id}", resource=f"{kind}s"):
            try:
                found = await fetch(object_id, _any(params))
            except stripe.InvalidRequestError as e:
                if e.code == "resource_missing":
                    return None
                raise
        data = found.to_dict(for_json=True)
        if data.get("deleted") is True:
            return None
        return parse(data, read_version(found))

    async def _list(
        self,
        resource: str,
        fetch: ListPage,
        params: dict[str, Any],
        parse: Parser[R],
    ) -> AsyncIterator[R]:
        with stripe_errors(f"list {resource}", resource=resource):
            async for data, version in each_object(fetch, params):
                yield parse(data, version)


def _of_customer(params: dict[str, Any], customer_id: str | None) -> dict[str, Any]:
    return params if customer_id is None else {**params, "customer": customer_id}


def _any(params: dict[str, Any]) -> Any:
    """Our params are plain dicts; the SDK types them as TypedDicts per endpoint."""
    return params
