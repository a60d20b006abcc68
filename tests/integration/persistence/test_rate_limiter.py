"""SqlaRateLimiter: fixed windows counted in the database, shared by engines and processes."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters.persistence import (
    SqlaCustomerDirectory,
    SqlaRateLimiter,
    SqlaTransactionManager,
    create_engine,
)
from adapters.persistence.tables import rate_limit_counters
from application.ports.rate_limiter import RateLimitVerdict
from domain.customer import Customer

WINDOW_START = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)  # a multiple of 60 s since the epoch
LIMIT = 3


def at(seconds: float) -> datetime:
    return WINDOW_START + timedelta(seconds=seconds)


async def test_the_limit_is_reached_and_retry_after_counts_down_to_the_window_end(
    engine: AsyncEngine,
) -> None:
    limiter = SqlaRateLimiter(engine)

    async def hit(seconds: float) -> RateLimitVerdict:
        return await limiter.hit("portal:u1", limit=LIMIT, window_seconds=60, now=at(seconds))

    assert [await hit(1), await hit(2), await hit(10)] == [RateLimitVerdict(True, 0)] * 3
    assert await hit(10) == RateLimitVerdict(False, 50)
    assert await hit(45.2) == RateLimitVerdict(False, 15)
    assert await hit(59.9) == RateLimitVerdict(False, 1)
    assert await hit(60) == RateLimitVerdict(True, 0)


async def test_keys_are_counted_separately(engine: AsyncEngine) -> None:
    limiter = SqlaRateLimiter(engine)

    first = await limiter.hit("portal:u1", limit=1, window_seconds=60, now=at(1))
    other = await limiter.hit("portal:u2", limit=1, window_seconds=60, now=at(1))
    again = await limiter.hit("portal:u1", limit=1, window_seconds=60, now=at(2))

    assert (first.allowed, other.allowed, again.allowed) == (True, True, False)


async def test_keys_longer_than_the_column_still_count_separately(engine: AsyncEngine) -> None:
    limiter = SqlaRateLimiter(engine)
    first_user, second_user = "portal:" + "a" * 300, "portal:" + "a" * 299 + "b"

    first = await limiter.hit(first_user, limit=1, window_seconds=60, now=at(1))
    other = await limiter.hit(second_user, limit=1, window_seconds=60, now=at(1))
    again = await limiter.hit(first_user, limit=1, window_seconds=60, now=at(2))

    assert (first.allowed, other.allowed, again.allowed) == (True, True, False)


async def test_two_engines_hitting_at_once_share_one_count(
    engine: AsyncEngine, database_url: str
) -> None:
    second_engine = create_engine(database_url)
    limiters = [SqlaRateLimiter(engine), SqlaRateLimiter(second_engine)]
    try:
        verdicts = await asyncio.gather(
            *(
                limiters[i % 2].hit("portal:busy", limit=10, window_seconds=60, now=at(5))
                for i in range(30)
            )
        )
    finally:
        await second_engine.dispose()

    assert sum(v.allowed for v in verdicts) == 10
    assert {v.retry_after_seconds for v in verdicts if not v.allowed} == {55}


@pytest.mark.postgres
async def test_another_process_shares_the_count(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    limiter = SqlaRateLimiter(engine)
    script = (
        "import asyncio, sys\n"
        "from datetime import datetime\n"
        "from adapters.persistence import SqlaRateLimiter, create_engine\n"
        "async def main():\n"
        "    engine = create_engine(sys.argv[1])\n"
        "    limiter = SqlaRateLimiter(engine)\n"
        "    for _ in range(4):\n"
        "        await limiter.hit('portal:proc', limit=5, window_seconds=60,\n"
        "                          now=datetime.fromisoformat(sys.argv[2]))\n"
        "    await engine.dispose()\n"
        "asyncio.run(main())\n"
    )
    try:
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-c", script, postgres_url, at(5).isoformat()
        )
        assert await child.wait() == 0

        allowed = await limiter.hit("portal:proc", limit=5, window_seconds=60, now=at(6))
        refused = await limiter.hit("portal:proc", limit=5, window_seconds=60, now=at(6))
    finally:
        await engine.dispose()

    assert allowed.allowed
    assert refused == RateLimitVerdict(False, 54)


async def test_rolling_back_the_request_session_does_not_undo_a_hit(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    limiter = SqlaRateLimiter(engine)
    async with session_factory() as session:
        directory = SqlaCustomerDirectory(session)
        assert await directory.get("user-eve") is None
        first = await limiter.hit("portal:eve", limit=1, window_seconds=60, now=at(1))
        await directory.save(Customer("user-eve", "cus_Eve", "b2c"))
        await SqlaTransactionManager(session).rollback()

        assert await directory.get("user-eve") is None
    second = await limiter.hit("portal:eve", limit=1, window_seconds=60, now=at(2))

    assert first.allowed
    assert second == RateLimitVerdict(False, 58)


async def test_ended_windows_are_pruned_now_and_then(engine: AsyncEngine) -> None:
    limiter = SqlaRateLimiter(engine, prune_every_seconds=300)

    async def stored_windows() -> int:
        async with engine.connect() as connection:
            count = select(func.count()).select_from(rate_limit_counters)
            return int((await connection.execute(count)).scalar_one())

    await limiter.hit("portal:a", limit=5, window_seconds=60, now=at(1))
    await limiter.hit("portal:b", limit=5, window_seconds=60, now=at(200))
    assert await stored_windows() == 2  # the next pruning is not due before at(301)

    await limiter.hit("portal:c", limit=5, window_seconds=60, now=at(301))

    assert await stored_windows() == 1  # only portal:c's current window is left
