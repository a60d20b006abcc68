"""``events recover --since``: a date, an ISO time or an age."""

from __future__ import annotations

from datetime import UTC, datetime

import click
import pytest

from entrypoints.cli.events import parse_since

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7d", datetime(2026, 11, 18, 12, 0, tzinfo=UTC)),
        ("12h", datetime(2026, 11, 25, 0, 0, tzinfo=UTC)),
        ("30m", datetime(2026, 11, 25, 11, 30, tzinfo=UTC)),
        ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-01T08:00:00+01:00", datetime(2026, 11, 1, 7, 0, tzinfo=UTC)),
    ],
)
def test_since_reads_dates_times_and_ages(value: str, expected: datetime) -> None:
    assert parse_since(value, NOW) == expected


@pytest.mark.parametrize("value", ["yesterday", "7 days", "-3d", ""])
def test_anything_else_is_refused_naming_the_option(value: str) -> None:
    with pytest.raises(click.BadParameter, match="neither a date"):
        parse_since(value, NOW)
