from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from application.ports.rate_limiter import RateLimiter, RateLimitVerdict


@dataclass
class FakeRateLimiter(RateLimiter):
    """A token bucket per key (GCRA), as the real limiter documents it; ``hits`` lists the
    keys."""

    refilled_at: dict[str, float] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    async def hit(
        self, key: str, *, limit: int, window_seconds: int, now: datetime
    ) -> RateLimitVerdict:
        self.hits.append(key)
        per_token = window_seconds / limit
        taken = max(self.refilled_at.get(key, 0.0), now.timestamp()) + per_token
        if taken <= now.timestamp() + window_seconds:
            self.refilled_at[key] = taken
            return RateLimitVerdict(allowed=True)
        retry_after = math.ceil(taken - window_seconds - now.timestamp())
        return RateLimitVerdict(allowed=False, retry_after_seconds=max(1, retry_after))
