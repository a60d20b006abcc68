"""Stripe objects (``StripeObject`` or plain dicts) to domain and port values.

Since API 2025-03-31 the billing period lives on each subscription item, not on the
subscription. Every field Stripe documents as nullable may be null or absent here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from application.errors import ProviderUnavailable
from application.ports.portal_configuration_provider import ProviderConfiguration, ProviderPrice
from domain.subscription import (
    RecurringInterval,
    Subscription,
    SubscriptionItem,
    SubscriptionStatus,
)

StripeData = Mapping[str, Any]


def plain(obj: Any) -> dict[str, Any]:
    """A ``StripeObject`` (or any mapping) as a plain, recursively converted dict."""
    to_dict = getattr(obj, "to_dict", None)
    return dict(to_dict()) if callable(to_dict) else dict(obj)


def timestamp(value: int | None) -> datetime | None:
    """Stripe's unix seconds as an aware UTC datetime."""
    return None if value is None else datetime.fromtimestamp(value, tz=UTC)


def _required_time(sub: StripeData, name: str) -> datetime:
    value = timestamp(sub.get(name))
    if value is None:
        raise ProviderUnavailable(f"Stripe returned subscription {sub.get('id')!r} without {name}")
    return value


def _id_of(value: str | StripeData | None) -> str:
    """An id from a field that is either the id or the expanded object."""
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value.get("id") or "")


def _interval(recurring: StripeData | None) -> RecurringInterval | None:
    try:
        return RecurringInterval((recurring or {}).get("interval") or "")
    except ValueError:
        return None


def subscription_item_from_stripe(item: StripeData) -> SubscriptionItem:
    price = item.get("price") or {}
    recurring = price.get("recurring") or {}
    return SubscriptionItem(
        id=item["id"],
        price_id=_id_of(price),
        product_id=_id_of(price.get("product")),
        quantity=item.get("quantity"),
        interval=_interval(recurring),
        interval_count=recurring.get("interval_count") or 1,
        current_period_start=timestamp(item.get("current_period_start")),
        current_period_end=timestamp(item.get("current_period_end")),
        metered=recurring.get("usage_type") == "metered",
    )


def _latest_invoice_url(latest_invoice: str | StripeData | None) -> str | None:
    if isinstance(latest_invoice, Mapping):
        url = latest_invoice.get("hosted_invoice_url")
        return str(url) if url else None
    return None


def subscription_from_stripe(obj: Any) -> Subscription:
    """A subscription snapshot; unknown statuses map to ``UNKNOWN`` and keep ``raw_status``."""
    sub = plain(obj)
    raw_status = sub.get("status") or ""
    items = (sub.get("items") or {}).get("data") or []
    return Subscription(
        id=sub["id"],
        customer_id=_id_of(sub.get("customer")),
        status=SubscriptionStatus.parse(raw_status),
        created=_required_time(sub, "created"),
        start_date=_required_time(sub, "start_date"),
        items=tuple(subscription_item_from_stripe(item) for item in items),
        cancel_at_period_end=bool(sub.get("cancel_at_period_end")),
        cancel_at=timestamp(sub.get("cancel_at")),
        canceled_at=timestamp(sub.get("canceled_at")),
        ended_at=timestamp(sub.get("ended_at")),
        latest_invoice_url=_latest_invoice_url(sub.get("latest_invoice")),
        raw_status=raw_status,
    )


def configuration_from_stripe(obj: Any) -> ProviderConfiguration:
    """A portal configuration with every field Stripe returned, as plain data."""
    fields = plain(obj)
    metadata = fields.get("metadata") or {}
    return ProviderConfiguration(
        id=fields["id"],
        active=bool(fields.get("active")),
        metadata={str(k): str(v) for k, v in metadata.items()},
        fields=fields,
        is_default=bool(fields.get("is_default")),
    )


def price_from_stripe(obj: Any) -> ProviderPrice:
    price = plain(obj)
    recurring = price.get("recurring")
    return ProviderPrice(
        id=price["id"],
        product_id=_id_of(price.get("product")),
        active=bool(price.get("active")),
        recurring=recurring is not None,
        metered=(recurring or {}).get("usage_type") == "metered",
        lookup_key=price.get("lookup_key") or None,
    )
