from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """The current time, timezone-aware UTC."""

    def now(self) -> datetime: ...
