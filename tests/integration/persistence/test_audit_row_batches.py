"""AuditRowBatches: the portal's audit rows of concurrent sessions share a commit, each
session answered only once its row is durable (PostgreSQL on asyncpg)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence import create_engine
from adapters.persistence.access_audit import AuditRowBatches, SqlaPortalAccessAudit
from adapters.persistence.driver_reads import PooledUnit
from adapters.persistence.tables import portal_access_audit as audit
from application.errors import PersistenceUnavailable
from application.ports.access_audit import PortalAccessRecord

from . import test_access_audit

# The single-row tests' records, with what the JSON batch must carry exactly: microseconds,
# text JSON escapes, characters outside ASCII, a segment.
OPENED = replace(
    test_access_audit.OPENED,
    occurred_at=datetime(2025, 5, 4, 3, 2, 1, 123456, tzinfo=UTC),
    user_agent='Mozilla/5.0 \u00e9\u4e2d "quoted" \\ back',
    segment="b2c",
)
REFUSED = replace(test_access_audit.REFUSED, user_id="user-dan", channel="api")


pytestmark = pytest.mark.postgres  # the batches write on PostgreSQL's asyncpg connections


@pytest.fixture
async def pg_engine(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(postgres_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(delete(audit))
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def batches(pg_engine: AsyncEngine) -> AsyncIterator[AuditRowBatches]:
    kept = AuditRowBatches(pg_engine)
    yield kept
    await kept.close()


async def stored(engine: AsyncEngine) -> list[PortalAccessRecord]:
    async with engine.connect() as connection:
        result = await connection.execute(select(audit).order_by(audit.c.id))
        return [
            PortalAccessRecord(**{k: v for k, v in row._mapping.items() if k != "id"})
            for row in result
        ]


async def record(engine: AsyncEngine, batches: AuditRowBatches, entry: PortalAccessRecord) -> None:
    unit = PooledUnit(engine)
    recorder = SqlaPortalAccessAudit(unit, batches=batches)  # type: ignore[arg-type]
    await recorder.record_and_commit(entry, unit)


async def test_every_field_is_stored_as_the_single_row_insert_stores_it(
    pg_engine: AsyncEngine, batches: AuditRowBatches
) -> None:
    await record(pg_engine, batches, OPENED)
    await record(pg_engine, batches, REFUSED)
    unit = PooledUnit(pg_engine)  # the path without batches, for comparison
    await SqlaPortalAccessAudit(unit).record_and_commit(OPENED, unit)  # type: ignore[arg-type]

    assert await stored(pg_engine) == [OPENED, REFUSED, OPENED]


async def test_a_burst_shares_statements_and_each_is_answered_after_its_commit(
    pg_engine: AsyncEngine, batches: AuditRowBatches
) -> None:
    statements = 0
    write = batches._write

    async def counted(rows: list[dict[str, object]]) -> list[None]:
        nonlocal statements
        statements += 1
        answered = await write(rows)
        # Committed before any caller of the batch hears back.
        assert len(await stored(pg_engine)) >= len(rows)
        return answered

    batches._group._write = counted
    entries = [replace(OPENED, request_id=f"req-{n}") for n in range(40)]
    await asyncio.gather(*(record(pg_engine, batches, e) for e in entries))

    rows = await stored(pg_engine)
    assert sorted(r.request_id or "" for r in rows) == sorted(e.request_id or "" for e in entries)
    assert statements < len(entries)
    assert pg_engine.sync_engine.pool.checkedout() <= 4  # type: ignore[attr-defined]


async def test_when_the_database_is_down_every_waiting_session_fails_and_none_hangs() -> None:
    engine = create_engine("postgresql://postgres@127.0.0.1:1/nowhere", connect_timeout=1)
    kept = AuditRowBatches(engine)
    try:
        results = await asyncio.gather(
            *(kept.write({"user_id": f"u{n}"}) for n in range(5)), return_exceptions=True
        )
    finally:
        await kept.close()
        await engine.dispose()

    assert all(isinstance(r, PersistenceUnavailable) for r in results), results


async def test_a_naive_time_is_refused_before_anything_is_released(
    pg_engine: AsyncEngine, batches: AuditRowBatches
) -> None:
    with pytest.raises(ValueError, match="naive"):
        await record(pg_engine, batches, replace(OPENED, occurred_at=datetime(2025, 5, 4)))
    assert await stored(pg_engine) == []


async def test_text_postgresql_cannot_store_is_replaced_and_fails_no_other_row(
    pg_engine: AsyncEngine, batches: AuditRowBatches
) -> None:
    """A NUL or a lone surrogate (a header, a token's claim) would fail the statement, and
    with it every other attempt of the batch."""
    hostile = replace(REFUSED, user_id="user-\ud800", user_agent="curl\x00/8")
    await asyncio.gather(*(record(pg_engine, batches, e) for e in (OPENED, hostile)))

    rows = await stored(pg_engine)
    assert OPENED in rows
    assert replace(hostile, user_id="user-?", user_agent="curl\ufffd/8") in rows
