"""The provider's objects a batch's handlers will read back, read before they run."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from application.ports.billing_event_source import BillingEventSource
from domain.billing.customer import MirroredCustomer
from domain.billing.invoice import MirroredInvoice
from domain.billing.payment_method import MirroredPaymentMethod
from domain.billing.subscription import MirroredSubscription

# Reads in flight at once per worker: at Stripe's 100-300 ms a round trip, 13-40 reads a
# second, under Stripe's live read limit (100 per second; 25 in test mode, which two busy
# workers can reach: the SDK does not retry a 429, the handler then reads again itself).
READ_AHEAD_CONCURRENCY = 4


class ProviderReads:
    """Request scope: the handlers' refetches (``reconcile``'s ``refetch``) of customers,
    subscriptions, invoices and payment methods, served from reads made together ahead
    of the batch's events (``read_ahead``), else from the provider as they come.

    Only a read made after the mirror's rows were read under lock in the same unit of
    work may serve (``reconcile`` stores a refetched state as newer than the mirror's):
    ``ProcessEvent`` forgets the reads before each unit of work and reads ahead only after
    its locking prefetch. A read that failed is not kept: the handler's own read then
    fails or succeeds as it would have."""

    def __init__(self, source: BillingEventSource) -> None:
        self._source = source
        self._read: dict[tuple[str, str], Any] = {}
        self._fetch: dict[str, Callable[[str], Awaitable[Any]]] = {
            "customers": source.retrieve_customer,
            "subscriptions": source.retrieve_subscription,
            "invoices": source.retrieve_invoice,
            "payment_methods": source.retrieve_payment_method,
        }

    def forget(self) -> None:
        self._read.clear()

    async def read_ahead(self, wanted: Iterable[tuple[str, str]]) -> None:
        """Read each (table, id) of ``wanted``, ``READ_AHEAD_CONCURRENCY`` at a time."""
        gate = asyncio.Semaphore(READ_AHEAD_CONCURRENCY)

        async def read(key: tuple[str, str]) -> None:
            async with gate:
                found = await self._fetch[key[0]](key[1])
            self._read[key] = found

        keys = [key for key in dict.fromkeys(wanted) if key[0] in self._fetch]
        await asyncio.gather(*(read(key) for key in keys), return_exceptions=True)

    async def customer(self, customer_id: str) -> MirroredCustomer | None:
        return await self._get("customers", customer_id)  # type: ignore[no-any-return]

    async def subscription(self, subscription_id: str) -> MirroredSubscription | None:
        return await self._get("subscriptions", subscription_id)  # type: ignore[no-any-return]

    async def invoice(self, invoice_id: str) -> MirroredInvoice | None:
        return await self._get("invoices", invoice_id)  # type: ignore[no-any-return]

    async def payment_method(self, payment_method_id: str) -> MirroredPaymentMethod | None:
        return await self._get("payment_methods", payment_method_id)  # type: ignore[no-any-return]

    async def _get(self, kind: str, object_id: str) -> Any:
        key = (kind, object_id)
        if key in self._read:
            return self._read[key]
        return await self._fetch[kind](object_id)
