"""A token-bucket rate limiter (GCRA) whose buckets live in the database."""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import case, delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence.driver_reads import PooledUnit, driver_errors, pooled_driver
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

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        prune_every_seconds: int = 300,
        unit: PooledUnit | None = None,
    ) -> None:
        self._engine = engine
        self._prune_every = timedelta(seconds=prune_every_seconds)
        self._next_prune: datetime | None = None
        self._unit = unit
        self._shared = self  # whose prune schedule this one keeps

    def on(self, unit: PooledUnit) -> SqlaRateLimiter:
        """This limiter with each hit on ``unit``'s connection (PostgreSQL), autocommitted
        as ever, so a request's hit and its reads share one checkout; the same buckets and
        prune schedule."""
        limiter = SqlaRateLimiter(self._engine, unit=unit)
        limiter._prune_every, limiter._shared = self._prune_every, self._shared
        return limiter

    async def hit(
        self, key: str, *, limit: int, window_seconds: int, now: datetime
    ) -> RateLimitVerdict:
        if limit < 1 or window_seconds < 1:
            raise ValueError("limit and window_seconds must be at least 1")
        key = _fit(key)
        now_us = round(now.timestamp() * _MICROS)
        window_us = window_seconds * _MICROS
        per_token_us = -(-window_us // limit)  # one token's worth of time, rounded up
        if self._engine.dialect.driver == "asyncpg":
            refilled = await self._hit_postgres(key, now_us, per_token_us, window_us)
        else:
            refilled = await self._hit(key, now_us, per_token_us, window_us)
        await self._prune_if_due(now, now_us)
        if refilled is None:
            return RateLimitVerdict(allowed=True)
        next_token_us = max(refilled, now_us) + per_token_us - window_us - now_us
        retry_after = max(1, math.ceil(next_token_us / _MICROS))
        return RateLimitVerdict(allowed=False, retry_after_seconds=retry_after)

    async def _hit_postgres(
        self, key: str, now_us: int, per_token_us: int, window_us: int
    ) -> int | None:
        """One statement on a pooled asyncpg connection, committed by itself (no BEGIN/COMMIT
        round trips, no SQLAlchemy statement built per hit, no engine ``Connection``: its
        checkout was 5% of a portal session): None when a token was taken, else when the
        bucket is full again."""
        action = f"counting a hit for {key!r}"
        unit = self._unit
        if unit is not None:
            return await self._hit_on(await unit.driver(action), action, key, now_us,
                                      per_token_us, window_us, unit)  # fmt: skip
        async with pooled_driver(self._engine, action) as driver:
            return await self._hit_on(driver, action, key, now_us, per_token_us, window_us)

    @staticmethod
    async def _hit_on(
        driver: Any,
        action: str,
        key: str,
        now_us: int,
        per_token_us: int,
        window_us: int,
        unit: PooledUnit | None = None,
    ) -> int | None:
        carried = unit.take_carried() if unit is not None else None
        with driver_errors(action):
            if carried is not None and unit is not None:  # the unit's next read comes along
                found = await driver.fetch(
                    _carrying(carried.columns, carried.joins, carried.order_by),
                    key, now_us, per_token_us, window_us, carried.value,
                )  # fmt: skip
                unit.read_ahead[carried.key] = found
                taken = found[0]["hit.taken"]
            else:
                taken = await driver.fetchval(_HIT_SQL, key, now_us, per_token_us, window_us)
            if taken is not None:
                return None
            refilled: int | None = await driver.fetchval(_REFILLED_SQL, key)
            return now_us if refilled is None else refilled

    async def _hit(self, key: str, now_us: int, per_token_us: int, window_us: int) -> int | None:
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
        return None if allowed else refilled_at_us

    async def _prune_if_due(self, now: datetime, now_us: int) -> None:
        shared = self._shared
        if shared._next_prune is not None and now < shared._next_prune:
            return
        shared._next_prune = now + self._prune_every
        with translate_database_errors("pruning full rate-limit buckets"):
            async with self._engine.begin() as connection:
                await connection.execute(delete(buckets).where(buckets.c.refilled_at_us <= now_us))


# The statement above in PostgreSQL's words: $1 key, $2 now, $3 one token, $4 the window.
_HIT_SQL = """
INSERT INTO rate_limit_buckets AS b (key, refilled_at_us) VALUES ($1, $2::bigint + $3::bigint)
ON CONFLICT (key) DO UPDATE SET refilled_at_us = GREATEST(b.refilled_at_us, $2) + $3
WHERE GREATEST(b.refilled_at_us, $2) + $3 <= $2 + $4::bigint
RETURNING b.refilled_at_us
"""


@lru_cache(maxsize=16)
def _carrying(columns: str, joins: str, order_by: str) -> str:
    """``_HIT_SQL`` carrying a ``CarriedRead`` (its parameter $5): one statement, committed
    by itself, whose first column is the hit's answer (NULL when refused). The hit runs
    once whatever the read finds (PostgreSQL runs a data-modifying WITH to completion)."""
    return (  # our own SQL (CarriedRead's); every value is a bound parameter
        f"WITH hit AS ({_HIT_SQL.strip()})\n"  # noqa: S608
        f'SELECT (SELECT refilled_at_us FROM hit) AS "hit.taken", {columns}\n'
        f"FROM (SELECT 1) AS one {joins.format(param='$5')}\n"
        f"ORDER BY {order_by}"
    )


# A refused hit changed nothing: when the bucket is full again (read just after, so a hit
# of another request in between can only push the answer later).
_REFILLED_SQL = "SELECT refilled_at_us FROM rate_limit_buckets WHERE key = $1"


def _fit(key: str) -> str:
    """Keys longer than the column are stored as a digest, so any key length works."""
    length: int = getattr(buckets.c.key.type, "length", None) or 255
    if len(key) <= length:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()
