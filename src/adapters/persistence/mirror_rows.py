"""Mirror records as table rows and back (exactly: every field round-trips)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any

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

Values = dict[str, Any]
Stored = Mapping[Any, Any]  # a row as SQLAlchemy maps it (RowMapping)
_INVOICE_FIELDS = tuple(f for f in MirroredInvoice.__slots__ if f != "version")
_METHOD_FIELDS = tuple(f for f in MirroredPaymentMethod.__slots__ if f != "version")


def _version(record: Any) -> Values:
    return {"source_version_at": record.version.at, "source_event_id": record.version.event_id}


def _read_version(row: Stored) -> SourceVersion:
    return SourceVersion(at=row["source_version_at"], event_id=row["source_event_id"])


def customer_values(c: MirroredCustomer) -> Values:
    return {
        "id": c.id,
        "email": c.email,
        "name": c.name,
        "address": asdict(c.address) if c.address else None,
        "phone": c.phone,
        # None (not told) is stored as none known; saves merge what is held first.
        "tax_ids": [{"id": t.id, "type": t.type, "value": t.value} for t in c.tax_ids or ()],
        "default_payment_method_id": c.default_payment_method_id,
        "deleted": c.deleted,
        "metadata": dict(c.metadata),
        **_version(c),
    }


def customer_record(row: Stored) -> MirroredCustomer:
    return MirroredCustomer(
        id=row["id"],
        version=_read_version(row),
        email=row["email"],
        name=row["name"],
        address=PostalAddress(**row["address"]) if row["address"] else None,
        phone=row["phone"],
        tax_ids=tuple(TaxId(t["type"], t["value"], t.get("id")) for t in row["tax_ids"]),
        default_payment_method_id=row["default_payment_method_id"],
        deleted=row["deleted"],
        metadata=row["metadata"] or {},
    )


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _read_moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _item_json(item: SubscriptionItem) -> Values:
    return {
        **asdict(item),
        "interval": item.interval.value if item.interval else None,
        "period_start": _moment(item.period_start),
        "period_end": _moment(item.period_end),
    }


def _read_item(data: Mapping[str, Any]) -> SubscriptionItem:
    # Rows written before the rename hold ``current_period_start``/``current_period_end``.
    fields = {k.removeprefix("current_"): v for k, v in data.items()}
    return SubscriptionItem(
        **{
            **fields,
            "interval": RecurringInterval(data["interval"]) if data["interval"] else None,
            "period_start": _read_moment(fields["period_start"]),
            "period_end": _read_moment(fields["period_end"]),
        }
    )


def subscription_values(m: MirroredSubscription) -> Values:
    s = m.subscription
    return {
        "id": s.id,
        "customer_id": s.customer_id,
        "status": s.status.value,
        "raw_status": s.raw_status,
        "created": s.created,
        "start_date": s.start_date,
        "items": [_item_json(i) for i in s.items],
        "plan_names": [asdict(p) for p in m.prices],
        "cancel_at_period_end": s.cancel_at_period_end,
        "cancel_at": s.cancel_at,
        "canceled_at": s.canceled_at,
        "ended_at": s.ended_at,
        "latest_invoice_url": s.latest_invoice_url,
        "cancellation_reason": m.cancellation.reason,
        "cancellation_feedback": m.cancellation.feedback,
        "cancellation_comment": m.cancellation.comment,
        "default_payment_method_id": m.default_payment_method_id,
        **_version(m),
    }


def subscription_record(row: Stored) -> MirroredSubscription:
    snapshot = Subscription(
        id=row["id"],
        customer_id=row["customer_id"],
        status=SubscriptionStatus.parse(row["status"]),
        raw_status=row["raw_status"],
        created=row["created"],
        start_date=row["start_date"],
        items=tuple(_read_item(i) for i in row["items"]),
        cancel_at_period_end=row["cancel_at_period_end"],
        cancel_at=row["cancel_at"],
        canceled_at=row["canceled_at"],
        ended_at=row["ended_at"],
        latest_invoice_url=row["latest_invoice_url"],
    )
    return MirroredSubscription(
        subscription=snapshot,
        version=_read_version(row),
        prices=tuple(_read_naming(n) for n in row["plan_names"]),
        cancellation=CancellationDetails(
            reason=row["cancellation_reason"],
            feedback=row["cancellation_feedback"],
            comment=row["cancellation_comment"],
        ),
        default_payment_method_id=row["default_payment_method_id"],
    )


def _read_naming(stored: Any) -> PriceNaming:
    """Rows written before products were mirrored hold ``[price_id, name]`` pairs."""
    if isinstance(stored, list | tuple):
        price_id, name = stored
        return PriceNaming(price_id, nickname=name)
    return PriceNaming(**stored)


def invoice_values(i: MirroredInvoice) -> Values:
    return {**{f: getattr(i, f) for f in _INVOICE_FIELDS}, **_version(i)}


def invoice_record(row: Stored) -> MirroredInvoice:
    return MirroredInvoice(version=_read_version(row), **{f: row[f] for f in _INVOICE_FIELDS})


def payment_method_values(p: MirroredPaymentMethod) -> Values:
    return {**{f: getattr(p, f) for f in _METHOD_FIELDS}, **_version(p)}


def payment_method_record(row: Stored) -> MirroredPaymentMethod:
    return MirroredPaymentMethod(version=_read_version(row), **{f: row[f] for f in _METHOD_FIELDS})


def product_values(p: MirroredProduct) -> Values:
    return {"id": p.id, "name": p.name, "active": p.active, "deleted": p.deleted, **_version(p)}


def product_record(row: Stored) -> MirroredProduct:
    return MirroredProduct(
        id=row["id"],
        version=_read_version(row),
        name=row["name"],
        active=row["active"],
        deleted=row["deleted"],
    )
