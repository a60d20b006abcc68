from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class RateLimitVerdict:
    allowed: bool
    retry_after_seconds: int = 0


class RateLimiter(Protocol):
    """Counts attempts per key in fixed windows, shared by every process of the service."""

    async def hit(
        self, key: str, *, limit: int, window_seconds: int, now: datetime
    ) -> RateLimitVerdict: ...
