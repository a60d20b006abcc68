"""A token-bucket rate limiter (GCRA) whose buckets live in the database."""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence.errors import translate_database_errors
from adapters.persistence.tables import rate_limit_buckets as buckets
from adapters.persistence.upsert import dialect_insert
from application.ports.rate_limiter import RateLimiter, RateLimitVerdict

_MICROS = 1_000_000


class SqlaRateLimiter(RateLimiter):
    """A bucket of ``limit`` tokens per key, refilled at ``limit`` per ``window_seconds``.

    Stored as GCRA's one number per key: the moment the bucket is full again. A hit is
    one atomic ``INSERT ... ON CONFLICT DO UPDATE ... WHERE <a token is left> RETURNING``
    (Postgres locks the row; SQLite has one writer), so concurrent hits from any number of
    processes never take more tokens than there are. A refused hit takes nothing and
    reports the whole seconds until the next token (at least 1). Unlike a fixed window,
    no burst of ``2 * limit`` straddles a window boundary.

    Each hit runs in its own short transaction on the engine, never in the request's
    session: a refused request rolls its session back, and the attempt must still count.
    Full buckets are deleted at most once per ``prune_every_seconds``. Keys of any length
    work (long ones are stored as a digest). Database failures raise
    ``PersistenceUnavailable``. SQLite has one writer at a time: call ``hit`` before the
    request's session writes, or the hit waits for that session's transaction.
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
        now_us = round(now.timestamp() * _MICROS)
        window_us = window_seconds * _MICROS
        per_token_us = -(-window_us // limit)  # one token's worth of time, rounded up
        stored = buckets.c.refilled_at_us
        taken = case((stored > now_us, stored), else_=now_us) + per_token_us
        statement = (
            dialect_insert(self._engine.dialect.name, buckets)
            .values(key=key, refilled_at_us=now_us + per_token_us)
            .on_conflict_do_update(
                index_elements=[buckets.c.key],
                set_={"refilled_at_us": taken},
                where=taken <= now_us + window_us,
            )
            .returning(stored)
        )
        with translate_database_errors(f"counting a hit for {key!r}"):
            async with self._engine.begin() as connection:
                allowed = (await connection.execute(statement)).first() is not None
                refilled_at_us = 0
                if not allowed:  # the row is locked by the statement above until commit
                    current = select(stored).where(buckets.c.key == key)
                    refilled_at_us = (await connection.execute(current)).scalar_one()
        await self._prune_if_due(now, now_us)
        if allowed:
            return RateLimitVerdict(allowed=True)
        next_token_us = max(refilled_at_us, now_us) + per_token_us - window_us - now_us
        retry_after = max(1, math.ceil(next_token_us / _MICROS))
        return RateLimitVerdict(allowed=False, retry_after_seconds=retry_after)

    async def _prune_if_due(self, now: datetime, now_us: int) -> None:
        if self._next_prune is not None and now < self._next_prune:
            return
        self._next_prune = now + self._prune_every
        with translate_database_errors("pruning full rate-limit buckets"):
            async with self._engine.begin() as connection:
                await connection.execute(delete(buckets).where(buckets.c.refilled_at_us <= now_us))


def _fit(key: str) -> str:
    """Keys longer than the column are stored as a digest, so any key length works."""
    length: int = getattr(buckets.c.key.type, "length", None) or 255
    if len(key) <= length:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()
