"""Test-data builders: a valid customer or subscription by default, one keyword per change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from application.ports.configuration_mappings import ConfigurationMapping
from domain.calendar import add_months
from domain.customer import Customer
from domain.subscription import (
    RecurringInterval,
    Subscription,
    SubscriptionItem,
    SubscriptionStatus,
)

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
CUSTOMER_ID = "cus_TEST1"


def a_customer(
    *,
    user_id: str = "user_1",
    stripe_customer_id: str | None = CUSTOMER_ID,
    segment: str = "b2c",
    email: str | None = "ada@example.com",
) -> Customer:
    return Customer(user_id, stripe_customer_id, segment, email)


def an_item(
    *,
    id: str = "si_1",
    price_id: str = "price_monthly",
    product_id: str = "prod_app",
    quantity: int | None = 1,
    interval: RecurringInterval | str | None = RecurringInterval.MONTH,
    interval_count: int = 1,
    period_start: datetime | None = None,
    period_end: datetime | None = None,
    metered: bool = False,
) -> SubscriptionItem:
    return SubscriptionItem(
        id=id,
        price_id=price_id,
        product_id=product_id,
        quantity=quantity,
        interval=RecurringInterval(interval) if interval is not None else None,
        interval_count=interval_count,
        period_start=period_start,
        period_end=period_end,
        metered=metered,
    )


def a_subscription(
    *,
    id: str = "sub_1",
    status: SubscriptionStatus | str = SubscriptionStatus.ACTIVE,
    customer_id: str = CUSTOMER_ID,
    created: datetime | None = None,
    start_date: datetime | None = None,
    interval: RecurringInterval | str = RecurringInterval.MONTH,
    interval_count: int = 1,
    period_end: datetime | None = None,
    items: tuple[SubscriptionItem, ...] | None = None,
    price_id: str = "price_monthly",
    quantity: int | None = 1,
    cancel_at_period_end: bool = False,
    cancel_at: datetime | None = None,
    canceled_at: datetime | None = None,
    ended_at: datetime | None = None,
    latest_invoice_url: str | None = None,
) -> Subscription:
    """A subscription started ``start_date`` (default: a year before NOW), one item.

    Without ``period_end`` the item's current period is the one containing NOW.
    """
    start = start_date or created or NOW - timedelta(days=365)
    if items is None:
        months = 12 * interval_count if interval == "year" else interval_count
        period_start = start
        while add_months(period_start, months) <= NOW:
            period_start = add_months(period_start, months)
        items = (
            an_item(
                id=f"si_{id}",
                price_id=price_id,
                quantity=quantity,
                interval=interval,
                interval_count=interval_count,
                period_start=period_start,
                period_end=period_end or add_months(period_start, months),
            ),
        )
    raw = status.value if isinstance(status, SubscriptionStatus) else status
    return Subscription(
        id=id,
        customer_id=customer_id,
        status=SubscriptionStatus.parse(raw),
        created=created or start,
        start_date=start,
        items=items,
        cancel_at_period_end=cancel_at_period_end,
        cancel_at=cancel_at,
        canceled_at=canceled_at,
        ended_at=ended_at,
        latest_invoice_url=latest_invoice_url,
        raw_status=raw,
    )


def a_yearly_subscription(*, months_old: int, **overrides: object) -> Subscription:
    """A yearly subscription that started ``months_old`` calendar months before NOW."""
    return a_subscription(
        start_date=add_months(NOW, -months_old),
        interval=RecurringInterval.YEAR,
        **overrides,  # type: ignore[arg-type]
    )


def applied(name: str, *, active: bool = True) -> ConfigurationMapping:
    """A mapping as `configs apply` leaves it: the provider id derives from the name."""
    return ConfigurationMapping(name, f"bpc_{name}", f"fp_{name}", active, NOW)
