"""Stripe's JSON objects (customer, subscription, invoice, payment method) as mirror records.

The Stripe adapter uses these too (with ``obj.to_dict()``), so both paths agree.
"""

from __future__ import annotations

from application.sync.errors import InvalidEvent
from application.sync.json_fields import (
    Json,
    entries,
    flag,
    integer,
    moment,
    reference,
    section,
    text,
)
from domain.billing.customer import MirroredCustomer, PostalAddress, TaxId
from domain.billing.invoice import MirroredInvoice
from domain.billing.payment_method import MirroredPaymentMethod
from domain.billing.subscription import CancellationDetails, MirroredSubscription
from domain.billing.version import SourceVersion
from domain.subscription import (
    RecurringInterval,
    Subscription,
    SubscriptionItem,
    SubscriptionStatus,
)


def _id(data: Json, kind: str) -> str:
    object_id = text(data, "id")
    if object_id is None:
        raise InvalidEvent(f"the {kind} object has no id")
    return object_id


def parse_customer(data: Json, version: SourceVersion) -> MirroredCustomer:
    address = section(data, "address")
    tax_ids = tuple(
        TaxId(type=text(t, "type") or "unknown", value=text(t, "value") or "")
        for t in entries(data, "tax_ids")
    )
    return MirroredCustomer(
        id=_id(data, "customer"),
        version=version,
        email=text(data, "email"),
        name=text(data, "name"),
        address=PostalAddress(**{k: text(address, k) for k in PostalAddress.__slots__})
        if any(address.values())
        else None,
        phone=text(data, "phone"),
        tax_ids=tax_ids,
        default_payment_method_id=reference(
            section(data, "invoice_settings"), "default_payment_method"
        ),
        deleted=flag(data, "deleted"),
    )


def parse_payment_method(
    data: Json, version: SourceVersion, *, detached: bool = False
) -> MirroredPaymentMethod:
    kind = text(data, "type") or "card"
    details = section(data, kind)
    customer_id = reference(data, "customer")
    return MirroredPaymentMethod(
        id=_id(data, "payment method"),
        version=version,
        customer_id=customer_id,
        type=kind,
        brand=text(details, "display_brand")
        or text(details, "brand")
        or text(details, "bank_name"),
        last4=text(details, "last4"),
        exp_month=integer(details, "exp_month"),
        exp_year=integer(details, "exp_year"),
        detached=detached or customer_id is None,
    )


def parse_invoice(data: Json, version: SourceVersion) -> MirroredInvoice:
    parent = section(section(data, "parent"), "subscription_details")
    return MirroredInvoice(
        id=_id(data, "invoice"),
        version=version,
        customer_id=reference(data, "customer"),
        created=moment(data, "created") or version.at,
        status=text(data, "status"),
        subscription_id=reference(data, "subscription") or reference(parent, "subscription"),
        number=text(data, "number"),
        amount_due=integer(data, "amount_due") or 0,
        amount_paid=integer(data, "amount_paid") or 0,
        total=integer(data, "total") or 0,
        currency=text(data, "currency") or "usd",
        period_start=moment(data, "period_start"),
        period_end=moment(data, "period_end"),
        hosted_invoice_url=text(data, "hosted_invoice_url"),
        invoice_pdf=text(data, "invoice_pdf"),
    )


def _item(data: Json, subscription: Json) -> tuple[SubscriptionItem, str | None]:
    price = section(data, "price") or section(data, "plan")
    recurring = section(price, "recurring")
    try:
        interval: RecurringInterval | None = RecurringInterval(text(recurring, "interval") or "")
    except ValueError:
        interval = None
    item = SubscriptionItem(
        id=text(data, "id") or "",
        price_id=reference(data, "price") or text(price, "id") or "",
        product_id=reference(price, "product") or "",
        quantity=integer(data, "quantity"),
        interval=interval,
        interval_count=integer(recurring, "interval_count") or 1,
        current_period_start=moment(data, "current_period_start")
        or moment(subscription, "current_period_start"),
        current_period_end=moment(data, "current_period_end")
        or moment(subscription, "current_period_end"),
        metered=text(recurring, "usage_type") == "metered",
    )
    name = text(price, "nickname") or text(section(price, "product"), "name")
    return item, name or text(price, "lookup_key")


def parse_subscription(data: Json, version: SourceVersion) -> MirroredSubscription:
    parsed = [_item(i, data) for i in entries(data, "items")]
    details = section(data, "cancellation_details")
    created = moment(data, "created") or version.at
    snapshot = Subscription(
        id=_id(data, "subscription"),
        customer_id=reference(data, "customer") or "",
        status=SubscriptionStatus.parse(text(data, "status")),
        raw_status=text(data, "status") or "",
        created=created,
        start_date=moment(data, "start_date") or created,
        items=tuple(item for item, _ in parsed),
        cancel_at_period_end=flag(data, "cancel_at_period_end"),
        cancel_at=moment(data, "cancel_at"),
        canceled_at=moment(data, "canceled_at"),
        ended_at=moment(data, "ended_at"),
        latest_invoice_url=text(section(data, "latest_invoice"), "hosted_invoice_url"),
    )
    return MirroredSubscription(
        subscription=snapshot,
        version=version,
        plan_names=tuple((item.price_id, name) for item, name in parsed if name),
        cancellation=CancellationDetails(
            reason=text(details, "reason"),
            feedback=text(details, "feedback"),
            comment=text(details, "comment"),
        ),
        default_payment_method_id=reference(data, "default_payment_method"),
    )
