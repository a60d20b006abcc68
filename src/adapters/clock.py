"""The real clock."""

from __future__ import annotations

from datetime import UTC, datetime

from application.ports.clock import Clock


class SystemClock(Clock):
    """The machine's clock, always timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)
