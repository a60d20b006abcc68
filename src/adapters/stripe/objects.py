"""Stripe's JSON objects as mirror records: the one translation, used by events, reads,
lists and the portal's subscription lookup alike.

Every field Stripe documents as nullable may be null or absent; a wrong type reads as
absent. Since API 2025-03-31 the billing period lives on each subscription item; an item
without one takes the subscription's (older API versions). A subscription without
``created``/``start_date`` (never seen from Stripe) takes the version's time rather than
being refused, so the portal and the mirror see the same subscription either way.
"""

from __future__ import annotations

from adapters.stripe.json_fields import (
    Json,
    entries,
    flag,
    integer,
    moment,
    reference,
    section,
    text,
)
from application.errors import InvalidEvent
from domain.billing.customer import MirroredCustomer, PostalAddress, TaxId
from domain.billing.invoice import MirroredInvoice
from domain.billing.payment_method import MirroredPaymentMethod
from domain.billing.product import MirroredProduct
from domain.billing.subscription import CancellationDetails, MirroredSubscription, PriceNaming
from domain.billing.version import SourceVersion
from domain.subscription import (
    RecurringInterval,
    Subscription,
    SubscriptionItem,
    SubscriptionStatus,
)

# Fields a customer shows only when expanded (``expand=["tax_ids"]``).
CUSTOMER_EXPAND = ["tax_ids"]
# The latest invoice's hosted URL is shown for subscriptions that await a payment.
SUBSCRIPTION_EXPAND = ["latest_invoice"]


def object_id(data: Json, kind: str) -> str:
    found = text(data, "id")
    if found is None:
        raise InvalidEvent(f"the {kind} object has no id")
    return found


def metadata(data: Json) -> dict[str, str]:
    """An object's ``metadata``: its string values (Stripe stores only strings)."""
    return {str(k): v for k, v in section(data, "metadata").items() if isinstance(v, str)}


def tax_id(data: Json) -> TaxId:
    return TaxId(
        type=text(data, "type") or "unknown", value=text(data, "value") or "", id=text(data, "id")
    )


def customer(data: Json, version: SourceVersion) -> MirroredCustomer:
    """``tax_ids`` is None unless Stripe included them (expanded): unknown, not none."""
    address = section(data, "address")
    included = "tax_ids" in data and data["tax_ids"] is not None
    return MirroredCustomer(
        id=object_id(data, "customer"),
        version=version,
        email=text(data, "email"),
        name=text(data, "name"),
        address=PostalAddress(**{k: text(address, k) for k in PostalAddress.__slots__})
        if any(address.values())
        else None,
        phone=text(data, "phone"),
        tax_ids=tuple(tax_id(t) for t in entries(data, "tax_ids")) if included else None,
        default_payment_method_id=reference(
            section(data, "invoice_settings"), "default_payment_method"
        ),
        deleted=flag(data, "deleted"),
        metadata=metadata(data),
    )


def payment_method(data: Json, version: SourceVersion) -> MirroredPaymentMethod:
    """A payment method that names no customer is detached."""
    kind = text(data, "type") or "card"
    details = section(data, kind)
    customer_id = reference(data, "customer")
    return MirroredPaymentMethod(
        id=object_id(data, "payment method"),
        version=version,
        customer_id=customer_id,
        type=kind,
        brand=text(details, "display_brand")
        or text(details, "brand")
        or text(details, "bank_name"),
        last4=text(details, "last4"),
        exp_month=integer(details, "exp_month"),
        exp_year=integer(details, "exp_year"),
        detached=customer_id is None,
    )


def invoice(data: Json, version: SourceVersion) -> MirroredInvoice:
    parent = section(section(data, "parent"), "subscription_details")
    return MirroredInvoice(
        id=object_id(data, "invoice"),
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


def product(data: Json, version: SourceVersion) -> MirroredProduct:
    return MirroredProduct(
        id=object_id(data, "product"),
        version=version,
        name=text(data, "name"),
        active=data.get("active") is not False,
        deleted=flag(data, "deleted"),
    )


def price_naming(item: Json) -> PriceNaming:
    """How a subscription item's price is named; ``plan`` stands in for older versions."""
    price = section(item, "price") or section(item, "plan")
    return PriceNaming(
        price_id=reference(item, "price") or text(price, "id") or "",
        nickname=text(price, "nickname"),
        product_name=text(section(price, "product"), "name"),
        lookup_key=text(price, "lookup_key"),
        product_id=reference(price, "product") or "",
    )


def _item(data: Json, subscription: Json) -> SubscriptionItem:
    price = section(data, "price") or section(data, "plan")
    recurring = section(price, "recurring")
    try:
        interval: RecurringInterval | None = RecurringInterval(text(recurring, "interval") or "")
    except ValueError:
        interval = None
    return SubscriptionItem(
        id=text(data, "id") or "",
        price_id=reference(data, "price") or text(price, "id") or "",
        product_id=reference(price, "product") or "",
        quantity=integer(data, "quantity"),
        interval=interval,
        interval_count=integer(recurring, "interval_count") or 1,
        period_start=moment(data, "current_period_start")
        or moment(subscription, "current_period_start"),
        period_end=moment(data, "current_period_end") or moment(subscription, "current_period_end"),
        metered=text(recurring, "usage_type") == "metered",
    )


def subscription(data: Json, version: SourceVersion) -> MirroredSubscription:
    """Unknown statuses map to ``UNKNOWN`` and keep ``raw_status``."""
    items = entries(data, "items")
    details = section(data, "cancellation_details")
    created = moment(data, "created") or version.at
    snapshot = Subscription(
        id=object_id(data, "subscription"),
        customer_id=reference(data, "customer") or "",
        status=SubscriptionStatus.parse(text(data, "status")),
        raw_status=text(data, "status") or "",
        created=created,
        start_date=moment(data, "start_date") or created,
        items=tuple(_item(i, data) for i in items),
        cancel_at_period_end=flag(data, "cancel_at_period_end"),
        cancel_at=moment(data, "cancel_at"),
        canceled_at=moment(data, "canceled_at"),
        ended_at=moment(data, "ended_at"),
        latest_invoice_url=text(section(data, "latest_invoice"), "hosted_invoice_url"),
    )
    return MirroredSubscription(
        subscription=snapshot,
        version=version,
        prices=tuple(price_naming(i) for i in items),
        cancellation=CancellationDetails(
            reason=text(details, "reason"),
            feedback=text(details, "feedback"),
            comment=text(details, "comment"),
        ),
        default_payment_method_id=reference(data, "default_payment_method"),
    )
