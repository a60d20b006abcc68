"""Use case: copy the provider's billing objects into the mirror (``billing-portal sync``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial

from application.ports.billing_event_source import BillingEventSource
from application.ports.billing_mirror import BillingMirror
from application.ports.clock import Clock
from application.ports.transaction_manager import TransactionManager
from application.sync.reconcile import R, reconcile

Progress = Callable[[str, int], None]  # (kind, how many read so far)


@dataclass(slots=True)
class BackfillResult:
    read: dict[str, int] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)


class BackfillMirror:
    """Products, customers (with their tax ids), subscriptions (all statuses), invoices and
    payment methods, for one customer or all. Idempotent, and safe while webhooks arrive:
    every record goes through the same ordering rule, so a state read here never replaces
    a newer event's. Commits after each record, so an interrupted run keeps its progress.
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
            "products", source.list_products(), mirror.get_product, mirror.save_product,
            result, report,
        )  # fmt: skip
        if customer_id is None:
            customer_ids = await self._copy(
                "customers", source.list_customers(), mirror.get_customer,
                mirror.save_customer, result, report,
            )  # fmt: skip
        else:
            customer_ids = await self._copy(
                "customers", _one(source.retrieve_customer(customer_id)), mirror.get_customer,
                mirror.save_customer, result, report,
            )  # fmt: skip
        started = self._clock.now()
        await self._copy(
            "subscriptions", source.list_subscriptions(customer_id), mirror.get_subscription,
            mirror.save_subscription, result, report,
        )  # fmt: skip
        await mirror.mark_subscriptions_complete(customer_ids, at=started)
        await self._transaction.commit()
        await self._copy(
            "invoices", source.list_invoices(customer_id), mirror.get_invoice,
            mirror.save_invoice, result, report,
        )  # fmt: skip
        for cid in customer_ids:
            await self._copy(
                "payment_methods", source.list_payment_methods(cid), mirror.get_payment_method,
                mirror.save_payment_method, result, report,
            )  # fmt: skip
        return result

    async def _copy(
        self,
        kind: str,
        records: AsyncIterator[R],
        get: Callable[[str], Awaitable[R | None]],
        save: Callable[[R], Awaitable[None]],
        result: BackfillResult,
        report: Progress,
    ) -> list[str]:
        ids: list[str] = []
        async for record in records:
            ids.append(record.id)
            outcome = await reconcile(
                await get(record.id),
                record,
                refetch=partial(_same, record),
                save=save,
                always_refetch=False,
            )
            await self._transaction.commit()
            result.read[kind] = result.read.get(kind, 0) + 1
            result.written[kind] = result.written.get(kind, 0) + int(outcome.applied)
            report(kind, result.read[kind])
        return ids


async def _same(record: R) -> R:
    return record


async def _one(found: Awaitable[R | None]) -> AsyncIterator[R]:
    record = await found
    if record is not None:
        yield record
