"""Use case: copy the provider's billing objects into the mirror (``billing-portal sync``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from application.errors import PersistenceUnavailable
from application.ports.billing_event_source import BillingEventSource
from application.ports.billing_mirror import BillingMirror
from application.ports.clock import Clock
from application.ports.transaction_manager import TransactionManager
from application.sync.reconcile import R, reconcile
from domain.billing.payment_method import MirroredPaymentMethod

Progress = Callable[[str, int], None]  # (kind, how many read so far)
T = TypeVar("T")

# Customers whose payment methods are read, then stored and committed, together.
PAYMENT_METHOD_BATCH = 100
# A page whose rows another transaction inserted at the same time is stored again, after
# reading them (a fresh mirror and a webhook for the same object); then it fails.
PAGE_ATTEMPTS = 3


@dataclass(slots=True)
class BackfillResult:
    read: dict[str, int] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)


class BackfillMirror:
    """Products, customers (with their tax ids), subscriptions (all statuses), invoices and
    payment methods, for one customer or all. Idempotent, and safe while webhooks arrive:
    every record goes through the same ordering rule, so a state read here never replaces
    a newer event's. A page of the provider's list is compared with the mirror in one
    locking read and stored in one transaction, so an interrupted run keeps the pages it
    committed; the next page is read from the provider while this one is stored.
    Once every subscription of a customer was read, the mirror answers for that customer's
    subscriptions (before that the portal asks the provider)."""

    def __init__(
        self,
        mirror: BillingMirror,
        source: BillingEventSource,
        transaction: TransactionManager,
        clock: Clock,
    ) -> None:
        self._mirror, self._source, self._transaction = mirror, source, transaction
        self._clock = clock

    async def execute(
        self, customer_id: str | None = None, progress: Progress | None = None
    ) -> BackfillResult:
        result = BackfillResult()
        report = progress or (lambda kind, count: None)
        mirror, source = self._mirror, self._source
        await self._copy(
            "products", source.product_pages(), mirror.get_many_products,
            mirror.save_many_products, result, report,
        )  # fmt: skip
        customers = (
            source.customer_pages()
            if customer_id is None
            else _one_page(_found(source.retrieve_customer(customer_id)))
        )
        customer_ids = await self._copy(
            "customers", customers, mirror.get_many_customers, mirror.save_many_customers,
            result, report,
        )  # fmt: skip
        started = self._clock.now()
        await self._copy(
            "subscriptions", source.subscription_pages(customer_id),
            mirror.get_many_subscriptions, mirror.save_many_subscriptions, result, report,
        )  # fmt: skip
        await mirror.mark_subscriptions_complete(customer_ids, at=started)
        await self._transaction.commit()
        await self._copy(
            "invoices", source.invoice_pages(customer_id), mirror.get_many_invoices,
            mirror.save_many_invoices, result, report,
        )  # fmt: skip
        await self._copy(
            "payment_methods", self._payment_methods(customer_ids),
            mirror.get_many_payment_methods, mirror.save_many_payment_methods, result, report,
        )  # fmt: skip
        return result

    async def _payment_methods(
        self, customer_ids: Sequence[str]
    ) -> AsyncIterator[list[MirroredPaymentMethod]]:
        """The provider lists them a customer at a time: a batch of customers is a page."""
        for start in range(0, len(customer_ids), PAYMENT_METHOD_BATCH):
            batch = customer_ids[start : start + PAYMENT_METHOD_BATCH]
            yield await self._source.payment_methods_of(batch)

    async def _copy(
        self,
        kind: str,
        pages: AsyncIterator[list[R]],
        get_many: Callable[[list[str]], Awaitable[Mapping[str, R]]],
        save_many: Callable[[list[R]], Awaitable[None]],
        result: BackfillResult,
        report: Progress,
    ) -> list[str]:
        ids: list[str] = []
        async for page in _read_ahead(pages):
            for attempt in range(1, PAGE_ATTEMPTS + 1):
                try:
                    written = await _store_page(page, get_many, save_many)
                    await self._transaction.commit()
                    break
                except PersistenceUnavailable:
                    await self._transaction.rollback()
                    if attempt == PAGE_ATTEMPTS:
                        raise
            ids.extend(record.id for record in page)
            result.read[kind] = result.read.get(kind, 0) + len(page)
            result.written[kind] = result.written.get(kind, 0) + written
            if page:
                report(kind, result.read[kind])
        return ids


async def _store_page(
    page: list[R],
    get_many: Callable[[list[str]], Awaitable[Mapping[str, R]]],
    save_many: Callable[[list[R]], Awaitable[None]],
) -> int:
    """Reconcile each record of ``page`` with the mirror's state, read (and locked) for the
    whole page at once; store the winners together. Returns how many were stored."""
    held = dict(await get_many([record.id for record in page]))
    winners: dict[str, R] = {}

    async def keep(record: R) -> None:
        winners[record.id] = record

    written = 0
    for record in page:
        outcome = await reconcile(
            held.get(record.id),
            record,
            refetch=partial(_same, record),
            save=keep,
            always_refetch=False,
        )
        if outcome.now is not None:
            held[record.id] = outcome.now  # a record listed twice meets its first state
        written += int(outcome.applied)
    await save_many(list(winners.values()))
    return written


async def _read_ahead(pages: AsyncIterator[T]) -> AsyncIterator[T]:
    """``pages``, the next one read from the provider while the caller stores this one."""
    upcoming: asyncio.Future[T] = asyncio.ensure_future(anext(pages))
    try:
        while True:
            try:
                page = await upcoming
            except StopAsyncIteration:
                return
            upcoming = asyncio.ensure_future(anext(pages))
            yield page
    finally:
        if not upcoming.done():
            upcoming.cancel()
            await asyncio.wait([upcoming])  # the generator must stop before it is closed
        if not upcoming.cancelled():
            upcoming.exception()  # retrieved: the caller's own error is the one raised
        close = getattr(pages, "aclose", None)
        if close is not None:
            with contextlib.suppress(Exception):
                await close()


async def _same(record: R) -> R:
    return record


async def _found(found: Awaitable[T | None]) -> list[T]:
    record = await found
    return [] if record is None else [record]


async def _one_page(page: Awaitable[list[T]]) -> AsyncIterator[list[T]]:
    records = await page
    if records:
        yield records
