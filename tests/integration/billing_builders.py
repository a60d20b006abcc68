"""Subscriptions as the billing provider fake holds them, measured from the real clock."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from domain.calendar import add_months
from domain.subscription import (
    RecurringInterval,
    Subscription,
    SubscriptionItem,
    SubscriptionStatus,
)

_ids = itertools.count(1)


def a_subscription(
    customer_id: str,
    *,
    status: str = "active",
    started_months_ago: int = 12,
    yearly: bool = False,
    price_id: str = "price_basic_monthly",
    quantity: int = 1,
    latest_invoice_url: str | None = None,
    ended: bool = False,
) -> Subscription:
    """A one-item subscription measured from the real clock (the app uses SystemClock)."""
    now = datetime.now(UTC)
    start = add_months(now, -started_months_ago)
    months = 12 if yearly else 1
    period_start = start
    while add_months(period_start, months) <= now:
        period_start = add_months(period_start, months)
    period_end = add_months(period_start, months)
    if ended:
        period_end = now - timedelta(days=1)
    sub_id = f"sub_{next(_ids)}"
    item = SubscriptionItem(
        id=f"si_{sub_id}",
        price_id=price_id,
        product_id="prod_demo_basic",
        quantity=quantity,
        interval=RecurringInterval.YEAR if yearly else RecurringInterval.MONTH,
        period_start=period_start,
        period_end=period_end,
    )
    return Subscription(
        id=sub_id,
        customer_id=customer_id,
        status=SubscriptionStatus.parse(status),
        created=start,
        start_date=start,
        items=(item,),
        ended_at=period_end if ended else None,
        latest_invoice_url=latest_invoice_url,
        raw_status=status,
    )
