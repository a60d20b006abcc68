"""A read-only snapshot of a Stripe subscription, as the portal rules need it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class SubscriptionStatus(StrEnum):
    """Every status Stripe documents, plus ``UNKNOWN`` for one it adds later."""

    INCOMPLETE = "incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired"
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELED = "canceled"
    UNPAID = "unpaid"
    PAUSED = "paused"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: str | None) -> SubscriptionStatus:
        """Map Stripe's string to a status; anything unrecognised becomes ``UNKNOWN``."""
        try:
            return cls(value or "")
        except ValueError:
            return cls.UNKNOWN


ENDED_STATUSES = frozenset({SubscriptionStatus.CANCELED, SubscriptionStatus.INCOMPLETE_EXPIRED})
OVERDUE_STATUSES = frozenset({SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID})


class RecurringInterval(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class SubscriptionItem:
    """One price on a subscription; since API 2025-03-31 items carry the billing period."""

    id: str
    price_id: str
    product_id: str
    quantity: int | None = 1
    interval: RecurringInterval | None = RecurringInterval.MONTH
    interval_count: int = 1
    period_start: datetime | None = None
    period_end: datetime | None = None
    metered: bool = False

    @property
    def months_per_period(self) -> int | None:
        if self.interval is RecurringInterval.YEAR:
            return 12 * self.interval_count
        if self.interval is RecurringInterval.MONTH:
            return self.interval_count
        return None


@dataclass(frozen=True, slots=True)
class Subscription:
    """The fields of a Stripe subscription the portal rules and the billing page read."""

    id: str
    customer_id: str
    status: SubscriptionStatus
    created: datetime
    start_date: datetime
    items: tuple[SubscriptionItem, ...] = ()
    cancel_at_period_end: bool = False
    cancel_at: datetime | None = None
    canceled_at: datetime | None = None
    ended_at: datetime | None = None
    latest_invoice_url: str | None = None
    raw_status: str = field(default="", compare=False)

    @property
    def is_ended(self) -> bool:
        return self.status in ENDED_STATUSES

    @property
    def is_live(self) -> bool:
        """Not ended and not waiting for its first payment (unknown statuses count as live)."""
        return not self.is_ended and self.status is not SubscriptionStatus.INCOMPLETE

    @property
    def period_start(self) -> datetime | None:
        starts = [i.period_start for i in self.items if i.period_start]
        return min(starts) if starts else None

    @property
    def period_end(self) -> datetime | None:
        ends = [i.period_end for i in self.items if i.period_end]
        return max(ends) if ends else None

    @property
    def is_yearly(self) -> bool:
        """Billed once a year or less often (a 12-month interval counts)."""
        months = [i.months_per_period for i in self.items if not i.metered]
        return any(m is not None and m >= 12 for m in months)

    def period_over(self, now: datetime) -> bool:
        """True once the paid-for period has run out (or the subscription has no period).

        An ``incomplete_expired`` subscription was never paid for: whatever period its items
        show, there is no paid-for time left to honour.
        """
        if self.status is SubscriptionStatus.INCOMPLETE_EXPIRED:
            return True
        # An ended subscription's access stops when it ended (an immediate cancellation ends
        # before the period it was billed for); a live one's at the end of its period.
        end = (self.ended_at if self.is_ended else None) or self.period_end
        return end is None or end <= now

    def price_ids(self) -> frozenset[str]:
        return frozenset(i.price_id for i in self.items)
