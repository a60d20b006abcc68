from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from application.ports.rate_limiter import RateLimiter, RateLimitVerdict


@dataclass
class FakeRateLimiter(RateLimiter):
    """A fixed-window counter, as the real limiter documents it; ``hits`` lists the keys."""

    counts: dict[tuple[str, int], int] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    async def hit(
        self, key: str, *, limit: int, window_seconds: int, now: datetime
    ) -> RateLimitVerdict:
        self.hits.append(key)
        window = int(now.timestamp()) // window_seconds
        count = self.counts[key, window] = self.counts.get((key, window), 0) + 1
        if count <= limit:
            return RateLimitVerdict(allowed=True)
        retry_after = (window + 1) * window_seconds - int(now.timestamp())
        return RateLimitVerdict(allowed=False, retry_after_seconds=retry_after)
