"""SqlaRateLimiter: token buckets kept in the database, shared by engines and processes."""

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
from adapters.persistence.driver_reads import PooledUnit
from adapters.persistence.tables import rate_limit_buckets
from application.ports.rate_limiter import RateLimitVerdict
from domain.customer import Customer

WINDOW_START = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)  # a multiple of 60 s since the epoch
LIMIT = 3


def at(seconds: float) -> datetime:
    return WINDOW_START + timedelta(seconds=seconds)


async def test_a_burst_of_the_limit_passes_then_one_token_comes_back_per_interval(
    engine: AsyncEngine,
) -> None:
    limiter = SqlaRateLimiter(engine)  # 3 per 60 s: one token back every 20 s

    async def hit(seconds: float) -> RateLimitVerdict:
        return await limiter.hit("portal:u1", limit=LIMIT, window_seconds=60, now=at(seconds))

    assert [await hit(1), await hit(2), await hit(10)] == [RateLimitVerdict(True, 0)] * 3
    assert await hit(10) == RateLimitVerdict(False, 11)  # the first token is back at 21
    assert await hit(20.2) == RateLimitVerdict(False, 1)
    assert await hit(21) == RateLimitVerdict(True, 0)
    assert await hit(21) == RateLimitVerdict(False, 20)  # refused hits take no token
    assert await hit(41) == RateLimitVerdict(True, 0)


async def test_no_double_burst_passes_across_a_window_boundary(engine: AsyncEngine) -> None:
    # The fixed window let 10 through at 59.0 s and 10 more at 60.5 s: 20 in 2 seconds.
    limiter = SqlaRateLimiter(engine)
    late = [
        await limiter.hit("portal:edge", limit=10, window_seconds=60, now=at(59)) for _ in range(10)
    ]
    early = [
        await limiter.hit("portal:edge", limit=10, window_seconds=60, now=at(60.5))
        for _ in range(10)
    ]

    assert all(v.allowed for v in late)
    assert not any(v.allowed for v in early)
    assert {v.retry_after_seconds for v in early} == {5}  # one token per 6 s, back at 65.0


async def test_an_idle_key_gets_its_whole_burst_back(engine: AsyncEngine) -> None:
    limiter = SqlaRateLimiter(engine)
    for _ in range(LIMIT):
        await limiter.hit("portal:idle", limit=LIMIT, window_seconds=60, now=at(0))

    later = [
        await limiter.hit("portal:idle", limit=LIMIT, window_seconds=60, now=at(60))
        for _ in range(LIMIT + 1)
    ]

    assert [v.allowed for v in later] == [True] * LIMIT + [False]


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
    assert {v.retry_after_seconds for v in verdicts if not v.allowed} == {6}


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
    assert refused == RateLimitVerdict(False, 11)  # 5 tokens taken at 5 s, the next at 17 s


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
    assert second == RateLimitVerdict(False, 59)


async def test_full_buckets_are_pruned_now_and_then(engine: AsyncEngine) -> None:
    limiter = SqlaRateLimiter(engine, prune_every_seconds=300)

    async def stored_buckets() -> int:
        async with engine.connect() as connection:
            count = select(func.count()).select_from(rate_limit_buckets)
            return int((await connection.execute(count)).scalar_one())

    await limiter.hit("portal:a", limit=5, window_seconds=60, now=at(1))
    await limiter.hit("portal:b", limit=5, window_seconds=60, now=at(200))
    assert await stored_buckets() == 2  # the next pruning is not due before at(301)

    await limiter.hit("portal:c", limit=5, window_seconds=60, now=at(301))

    assert await stored_buckets() == 1  # only portal:c's bucket is not full again


@pytest.mark.postgres
async def test_concurrent_hits_on_postgres_never_take_more_tokens_than_the_bucket_holds(
    postgres_url: str,
) -> None:
    engines = [create_engine(postgres_url) for _ in range(3)]
    limiters = [SqlaRateLimiter(e) for e in engines]
    try:
        rounds = []
        for second in (0, 0.5, 6.5):  # a full bucket, nothing back yet, then one token back
            rounds.append(
                await asyncio.gather(
                    *(
                        limiters[i % 3].hit(
                            "portal:race", limit=10, window_seconds=60, now=at(second)
                        )
                        for i in range(40)
                    )
                )
            )
    finally:
        for e in engines:
            await e.dispose()

    assert [sum(v.allowed for v in verdicts) for verdicts in rounds] == [10, 0, 1]


@pytest.mark.postgres
async def test_hits_on_a_pooled_unit_share_its_connection_and_count_the_same(
    postgres_url: str,
) -> None:
    engine = create_engine(postgres_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(rate_limit_buckets.delete())
        limiter = SqlaRateLimiter(engine)
        unit = PooledUnit(engine)
        on_unit = limiter.on(unit)

        async def hit(seconds: float) -> RateLimitVerdict:
            return await on_unit.hit("portal:u1", limit=LIMIT, window_seconds=60, now=at(seconds))

        assert [await hit(1), await hit(2)] == [RateLimitVerdict(True, 0)] * 2
        assert engine.pool.checkedout() == 1  # the unit's one connection, still held
        await unit.rollback()  # gives it back; the hits were committed by themselves
        assert engine.pool.checkedout() == 0
        assert await hit(3) == RateLimitVerdict(True, 0)
        await unit.commit()
        # The same buckets as the limiter's own hits.
        verdict = await limiter.hit("portal:u1", limit=LIMIT, window_seconds=60, now=at(4))
        assert verdict == RateLimitVerdict(False, 17)  # the first token is back at 21
        assert engine.pool.checkedout() == 0
    finally:
        await engine.dispose()
