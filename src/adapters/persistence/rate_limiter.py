"""A fixed-window rate limiter whose counters live in the database."""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence.errors import translate_database_errors
from adapters.persistence.tables import rate_limit_counters as counters
from adapters.persistence.upsert import dialect_insert
from application.ports.rate_limiter import RateLimiter, RateLimitVerdict


class SqlaRateLimiter(RateLimiter):
    """Counts hits per key in fixed windows aligned on the epoch, shared by every process.

    Each hit is one atomic ``INSERT ... ON CONFLICT DO UPDATE SET count = count + 1
    RETURNING count`` in its own short transaction on the engine, never in the request's
    session: a refused request rolls its session back, and the attempt must still count.
    A refused hit reports the whole seconds left until its window ends (at least 1).
    Windows that have ended are deleted at most once per ``prune_every_seconds``.
    Keys of any length work (long ones are stored as a digest). Database failures raise
    ``PersistenceUnavailable``.

    SQLite has one writer at a time: call ``hit`` before the request's session writes,
    or the hit waits for that session's transaction (up to the busy timeout).
    """

    def __init__(self, engine: AsyncEngine, *, prune_every_seconds: int = 300) -> None:
        self._engine = engine
        self._prune_every = timedelta(seconds=prune_every_seconds)
        self._next_prune: datetime | None = None

    async def hit(
        self, key: str, *, limit: int, window_seconds: int, now: datetime
    ) -> RateLimitVerdict:
        if limit < 1 or window_seconds < 1:
            raise ValueError("limit and window_seconds must be at least 1")
        key = _fit(key)
        start = int(now.timestamp() // window_seconds) * window_seconds
        window_start = datetime.fromtimestamp(start, UTC)
        window_end = window_start + timedelta(seconds=window_seconds)
        statement = (
            dialect_insert(self._engine.dialect.name, counters)
            .values(key=key, window_start=window_start, count=1, expires_at=window_end)
            .on_conflict_do_update(
                index_elements=[counters.c.key, counters.c.window_start],
                set_={"count": counters.c.count + 1},
            )
            .returning(counters.c.count)
        )
        with translate_database_errors(f"counting a hit for {key!r}"):
            async with self._engine.begin() as connection:
                count = (await connection.execute(statement)).scalar_one()
        await self._prune_if_due(now)
        if count <= limit:
            return RateLimitVerdict(allowed=True)
        retry_after = max(1, math.ceil((window_end - now).total_seconds()))
        return RateLimitVerdict(allowed=False, retry_after_seconds=retry_after)

    async def _prune_if_due(self, now: datetime) -> None:
        if self._next_prune is not None and now < self._next_prune:
            return
        self._next_prune = now + self._prune_every
        with translate_database_errors("pruning ended rate-limit windows"):
            async with self._engine.begin() as connection:
                await connection.execute(delete(counters).where(counters.c.expires_at <= now))


def _fit(key: str) -> str:
    """Keys longer than the column are stored as a digest, so any key length works."""
    length: int = getattr(counters.c.key.type, "length", None) or 255
    if len(key) <= length:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()
