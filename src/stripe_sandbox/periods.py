"""Calendar arithmetic for billing periods, in UTC, anchored like Stripe's billing cycles."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

DAY = 86_400


def add_interval(timestamp: int, interval: str, count: int) -> int:
    """``timestamp`` moved forward by ``count`` intervals (day/week/month/year).

    Months clamp to the last day (Jan 31 + 1 month = Feb 28/29), as Stripe does.
    """
    if interval == "day":
        return timestamp + count * DAY
    if interval == "week":
        return timestamp + count * 7 * DAY
    months = count * (12 if interval == "year" else 1)
    if interval not in ("month", "year"):
        raise ValueError(f"unknown interval {interval!r}")
    moment = datetime.fromtimestamp(timestamp, UTC)
    total = moment.month - 1 + months
    year, month = moment.year + total // 12, total % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


def next_period_end(anchor: int, after: int, interval: str, count: int) -> int:
    """The first cycle boundary ``anchor + k intervals`` strictly later than ``after``."""
    steps = 1
    boundary = add_interval(anchor, interval, count)
    while boundary <= after:
        steps += 1
        boundary = add_interval(anchor, interval, count * steps)
    return boundary
