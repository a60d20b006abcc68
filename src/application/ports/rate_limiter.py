from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class RateLimitVerdict:
    allowed: bool
    retry_after_seconds: int = 0


class RateLimiter(Protocol):
    """A token bucket per key, shared by every process of the service.

    A key starts with ``limit`` tokens and gets them back at ``limit`` per
    ``window_seconds`` (one every ``window_seconds / limit``). An allowed hit takes one
    token; a refused hit takes none and says how many whole seconds until the next token.
    So at most ``limit`` hits pass at once, and no more than that rate on average: no
    burst of ``2 * limit`` across a window boundary as with fixed windows.
    """

    async def hit(
        self, key: str, *, limit: int, window_seconds: int, now: datetime
    ) -> RateLimitVerdict: ...
