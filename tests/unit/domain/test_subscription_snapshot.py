"""The subscription snapshot's derived facts the rules rely on, and calendar months."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.unit.builders import NOW, a_subscription, an_item

from domain.calendar import add_months
from domain.subscription import RecurringInterval, SubscriptionStatus

YEAR, MONTH, WEEK, DAY = (
    RecurringInterval.YEAR,
    RecurringInterval.MONTH,
    RecurringInterval.WEEK,
    RecurringInterval.DAY,
)


@pytest.mark.parametrize(
    ("raw", "status", "live", "ended"),
    [
        ("active", SubscriptionStatus.ACTIVE, True, False),
        ("trialing", SubscriptionStatus.TRIALING, True, False),
        ("past_due", SubscriptionStatus.PAST_DUE, True, False),
        ("unpaid", SubscriptionStatus.UNPAID, True, False),
        ("paused", SubscriptionStatus.PAUSED, True, False),
        ("incomplete", SubscriptionStatus.INCOMPLETE, False, False),
        ("canceled", SubscriptionStatus.CANCELED, False, True),
        ("incomplete_expired", SubscriptionStatus.INCOMPLETE_EXPIRED, False, True),
        ("cancelled", SubscriptionStatus.UNKNOWN, True, False),
        ("Active", SubscriptionStatus.UNKNOWN, True, False),
        ("", SubscriptionStatus.UNKNOWN, True, False),
    ],
    ids=lambda v: repr(v) if isinstance(v, str) else None,
)
def test_statuses(raw: str, status: SubscriptionStatus, live: bool, ended: bool) -> None:
    sub = a_subscription(status=raw)
    assert (sub.status, sub.is_live, sub.is_ended, sub.raw_status) == (status, live, ended, raw)


def test_missing_status_is_unknown() -> None:
    assert SubscriptionStatus.parse(None) is SubscriptionStatus.UNKNOWN


@pytest.mark.parametrize(
    ("items", "yearly"),
    [
        pytest.param([(YEAR, 1, False)], True, id="year"),
        pytest.param([(MONTH, 12, False)], True, id="12-months"),
        pytest.param([(MONTH, 24, False)], True, id="24-months"),
        pytest.param([(YEAR, 2, False)], True, id="2-years"),
        pytest.param([(MONTH, 11, False)], False, id="11-months"),
        pytest.param([(MONTH, 1, False)], False, id="month"),
        pytest.param([(WEEK, 52, False)], False, id="52-weeks"),
        pytest.param([(DAY, 365, False)], False, id="365-days"),
        pytest.param([(None, 1, False)], False, id="one-off-price"),
        pytest.param([(YEAR, 1, True)], False, id="metered-yearly-only"),
        pytest.param([(MONTH, 1, False), (YEAR, 1, False)], True, id="monthly-and-yearly-items"),
        pytest.param([(MONTH, 1, True), (YEAR, 1, False)], True, id="metered-monthly-plus-yearly"),
        pytest.param([], False, id="no-items"),
    ],
)
def test_yearly_means_billed_every_twelve_months_or_less_often(
    items: list[tuple[RecurringInterval | None, int, bool]], yearly: bool
) -> None:
    sub = a_subscription(
        items=tuple(
            an_item(id=f"si_{n}", interval=i, interval_count=c, metered=m)
            for n, (i, c, m) in enumerate(items)
        )
    )
    assert sub.is_yearly is yearly


def test_the_period_comes_from_the_items() -> None:
    sub = a_subscription(
        items=(
            an_item(
                id="si_a", period_start=NOW - timedelta(days=3), period_end=NOW + timedelta(days=27)
            ),
            an_item(
                id="si_b",
                period_start=NOW - timedelta(days=10),
                period_end=NOW + timedelta(days=355),
            ),
        )
    )
    assert sub.period_start == NOW - timedelta(days=10)
    assert sub.period_end == NOW + timedelta(days=355)
    assert not sub.period_over(NOW)
    assert sub.period_over(NOW + timedelta(days=355))


def test_without_item_periods_the_end_date_decides() -> None:
    sub = a_subscription(status="canceled", items=(an_item(),), ended_at=NOW + timedelta(hours=1))
    assert not sub.period_over(NOW)
    assert sub.period_over(NOW + timedelta(hours=1))
    assert a_subscription(status="canceled", items=()).period_over(NOW)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        pytest.param(
            datetime(2025, 1, 31, 9, tzinfo=UTC),
            1,
            datetime(2025, 2, 28, 9, tzinfo=UTC),
            id="clamp-feb",
        ),
        pytest.param(
            datetime(2024, 1, 31, tzinfo=UTC), 1, datetime(2024, 2, 29, tzinfo=UTC), id="clamp-leap"
        ),
        pytest.param(
            datetime(2025, 8, 31, tzinfo=UTC),
            6,
            datetime(2026, 2, 28, tzinfo=UTC),
            id="six-months-over-year-end",
        ),
        pytest.param(
            datetime(2025, 3, 15, tzinfo=UTC), -6, datetime(2024, 9, 15, tzinfo=UTC), id="backwards"
        ),
        pytest.param(
            datetime(2025, 3, 15, tzinfo=UTC), 0, datetime(2025, 3, 15, tzinfo=UTC), id="zero"
        ),
        pytest.param(
            datetime(2025, 12, 1, tzinfo=UTC), 1, datetime(2026, 1, 1, tzinfo=UTC), id="december"
        ),
    ],
)
def test_add_months(start: datetime, months: int, expected: datetime) -> None:
    assert add_months(start, months) == expected
