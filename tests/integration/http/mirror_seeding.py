"""Put records straight into the billing mirror, as the workers would have."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from tests.fakes import FakeBillingProvider, FakeStripeFamily

from application.ports.billing_mirror import BillingMirror
from application.ports.transaction_manager import TransactionManager
from domain.billing.customer import MirroredCustomer
from domain.billing.invoice import MirroredInvoice
from domain.billing.payment_method import MirroredPaymentMethod
from domain.billing.subscription import MirroredSubscription, PriceNaming
from domain.billing.version import SourceVersion
from domain.subscription import Subscription
from entrypoints.ioc import create_container
from entrypoints.settings import Settings

Record = MirroredCustomer | MirroredSubscription | MirroredInvoice | MirroredPaymentMethod
SEEN_AT = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)


def version(at: datetime = SEEN_AT) -> SourceVersion:
    return SourceVersion(at=at, event_id=None)


def mirrored(sub: Subscription, plan_name: str = "Basic monthly") -> MirroredSubscription:
    names = tuple(PriceNaming(item.price_id, nickname=plan_name) for item in sub.items)
    return MirroredSubscription(subscription=sub, version=version(), prices=names)


def an_invoice(customer_id: str, n: int) -> MirroredInvoice:
    created = SEEN_AT - timedelta(days=30 * (10 - n))
    return MirroredInvoice(
        id=f"in_{customer_id}_{n}",
        version=version(),
        customer_id=customer_id,
        created=created,
        status="paid",
        number=f"INV-{n:04d}",
        amount_due=900,
        amount_paid=900,
        total=900,
        currency="usd",
        period_start=created,
        period_end=created + timedelta(days=30),
        hosted_invoice_url=f"https://invoice.example.test/{n}",
        invoice_pdf=f"https://invoice.example.test/{n}/pdf",
    )


async def seed_mirror(
    settings: Settings,
    billing: FakeBillingProvider,
    records: Sequence[Record],
    *,
    complete: bool = True,
) -> None:
    """Store ``records``; ``complete``: as `billing-portal sync` leaves it, the mirror then
    answers for every subscription of the seeded subscriptions' customers."""
    container = create_container(settings, FakeStripeFamily(billing))
    try:
        async with container() as request:
            mirror = await request.get(BillingMirror)
            for record in records:
                if isinstance(record, MirroredCustomer):
                    await mirror.save_customer(record)
                elif isinstance(record, MirroredSubscription):
                    await mirror.save_subscription(record)
                elif isinstance(record, MirroredInvoice):
                    await mirror.save_invoice(record)
                else:
                    await mirror.save_payment_method(record)
            if complete:
                owners = {r.customer_id for r in records if isinstance(r, MirroredSubscription)}
                await mirror.mark_subscriptions_complete(owners, at=SEEN_AT)
            await (await request.get(TransactionManager)).commit()
    finally:
        await container.close()
