from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from application.ports.clock import Clock


@dataclass
class FakeClock(Clock):
    """Time that moves only when a test says so."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta | float) -> None:
        """Move on by ``delta`` (a timedelta, or a number of seconds)."""
        self.current += delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
