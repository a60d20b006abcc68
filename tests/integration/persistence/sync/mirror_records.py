"""Mirror records with every field set (and some left empty), for round trips."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.billing.customer import MirroredCustomer, PostalAddress, TaxId
from domain.billing.invoice import MirroredInvoice
from domain.billing.payment_method import MirroredPaymentMethod
from domain.billing.subscription import CancellationDetails, MirroredSubscription, PriceNaming
from domain.billing.version import SourceVersion
from domain.subscription import (
    RecurringInterval,
    Subscription,
    SubscriptionItem,
    SubscriptionStatus,
)

T0 = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)
FROM_EVENT = SourceVersion(at=T0, event_id="evt_1")
FROM_READ = SourceVersion(at=T0 + timedelta(seconds=5, microseconds=250_000))


def customer(**changes: object) -> MirroredCustomer:
    fields: dict[str, object] = {
        "id": "cus_1", "version": FROM_EVENT, "email": "ada@example.com", "name": "Ada",
        "address": PostalAddress(line1="1 Rue X", city="Paris", postal_code="75001",
                                 country="FR"),
        "phone": "+33 1 23", "tax_ids": (TaxId("eu_vat", "FR123"), TaxId("unknown", "")),
        "default_payment_method_id": "pm_1",
        "metadata": {"app_user_id": "u-1", "segment": "b2b"}, **changes,
    }  # fmt: skip
    return MirroredCustomer(**fields)  # type: ignore[arg-type]


def subscription(sub_id: str = "sub_1", **changes: object) -> MirroredSubscription:
    monthly = SubscriptionItem(
        id="si_1", price_id="price_pro", product_id="prod_pro", quantity=3,
        interval=RecurringInterval.YEAR,
        period_start=T0, period_end=T0 + timedelta(days=28),
    )  # fmt: skip
    metered = SubscriptionItem(
        id="si_2", price_id="price_api", product_id="prod_api", quantity=None,
        interval=None, interval_count=3, metered=True,
    )  # fmt: skip
    snapshot = Subscription(
        id=sub_id, customer_id="cus_1", status=SubscriptionStatus.UNKNOWN,
        raw_status="brand_new_status", created=T0, start_date=T0 - timedelta(days=1),
        items=(monthly, metered), cancel_at_period_end=True, cancel_at=T0 + timedelta(days=28),
        canceled_at=T0, latest_invoice_url="https://invoice.stripe.com/i/1",
    )  # fmt: skip
    fields: dict[str, object] = {
        "subscription": snapshot, "version": FROM_EVENT,
        "prices": (PriceNaming("price_pro", nickname="Pro"), PriceNaming("price_api", nickname="API calls")),
        "cancellation": CancellationDetails("cancellation_requested", "too_expensive", "€€€"),
        "default_payment_method_id": "pm_1", **changes,
    }  # fmt: skip
    return MirroredSubscription(**fields)  # type: ignore[arg-type]


def invoice(invoice_id: str, created: datetime, **changes: object) -> MirroredInvoice:
    fields: dict[str, object] = {
        "id": invoice_id, "version": FROM_EVENT, "customer_id": "cus_1", "created": created,
        "status": "paid", "subscription_id": "sub_1", "number": f"NUM-{invoice_id}",
        "amount_due": 1999, "amount_paid": 1999, "total": 1999, "currency": "eur",
        "period_start": created - timedelta(days=30), "period_end": created,
        "hosted_invoice_url": "https://invoice.stripe.com/i/x",
        "invoice_pdf": "https://pay.stripe.com/invoice/x/pdf", **changes,
    }  # fmt: skip
    return MirroredInvoice(**fields)  # type: ignore[arg-type]


def payment_method(**changes: object) -> MirroredPaymentMethod:
    fields: dict[str, object] = {
        "id": "pm_1", "version": FROM_EVENT, "customer_id": "cus_1", "type": "card",
        "brand": "visa", "last4": "4242", "exp_month": 8, "exp_year": 2030, **changes,
    }  # fmt: skip
    return MirroredPaymentMethod(**fields)  # type: ignore[arg-type]
