"""Several workers over one PostgreSQL inbox: ``FOR UPDATE SKIP LOCKED`` and leases."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.persistence import SqlaEventInbox, SqlaTransactionManager
from application.ports.event_inbox import EventStatus

from .test_event_inbox import LEASE, NOW, inbox_event, stored

only_postgres = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


async def work_until_idle(
    factory: async_sessionmaker[AsyncSession], worker: str, processed: list[str]
) -> None:
    """What ``billing-portal worker`` does: claim a batch and commit, then mark each event
    in its own transaction; stop when nothing is due."""
    while True:
        async with factory() as session:
            inbox = SqlaEventInbox(session)
            transaction = SqlaTransactionManager(session)
            claimed = await inbox.claim_due(worker_id=worker, now=NOW, limit=25, lease_seconds=60)
            await transaction.commit()
            if not claimed:
                return
            for event in claimed:
                processed.append(event.id)
                await inbox.mark_processed(event.id, now=NOW)
                await transaction.commit()


@only_postgres
async def test_two_workers_racing_over_a_thousand_events_process_each_exactly_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await stored(session_factory, *(inbox_event(n) for n in range(1000)))
    by_a: list[str] = []
    by_b: list[str] = []

    await asyncio.gather(
        work_until_idle(session_factory, "worker-a", by_a),
        work_until_idle(session_factory, "worker-b", by_b),
    )

    marks = Counter(by_a + by_b)
    assert len(marks) == 1000
    assert set(marks.values()) == {1}
    assert by_a, "worker-a took part"
    assert by_b, "worker-b took part"
    async with session_factory() as session:
        inbox = SqlaEventInbox(session)
        assert await inbox.list_events(status=EventStatus.PENDING) == []
        done = await inbox.list_events(status=EventStatus.PROCESSED, limit=2000)
    assert len(done) == 1000


@only_postgres
async def test_a_worker_skips_rows_another_is_claiming_instead_of_waiting(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await stored(session_factory, *(inbox_event(n) for n in range(6)))
    async with session_factory() as first, session_factory() as second:
        mine = await SqlaEventInbox(first).claim_due(
            worker_id="worker-a", now=NOW, limit=4, lease_seconds=LEASE
        )  # not committed: its rows stay locked
        theirs = await asyncio.wait_for(
            SqlaEventInbox(second).claim_due(
                worker_id="worker-b", now=NOW, limit=4, lease_seconds=LEASE
            ),
            timeout=10,
        )
        await SqlaTransactionManager(second).commit()
        await SqlaTransactionManager(first).rollback()

    assert [e.id for e in mine] == ["evt_0000", "evt_0001", "evt_0002", "evt_0003"]
    assert [e.id for e in theirs] == ["evt_0004", "evt_0005"]


@only_postgres
async def test_events_whose_worker_vanished_are_taken_over_after_the_lease(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await stored(session_factory, *(inbox_event(n) for n in range(3)))
    async with session_factory() as session:  # worker-a claims, commits, then dies
        await SqlaEventInbox(session).claim_due(
            worker_id="worker-a", now=NOW, limit=10, lease_seconds=LEASE
        )
        await SqlaTransactionManager(session).commit()

    async with session_factory() as session:
        inbox = SqlaEventInbox(session)
        early = await inbox.claim_due(worker_id="worker-b", now=NOW, limit=10, lease_seconds=60)
        late = await inbox.claim_due(
            worker_id="worker-b", now=NOW + timedelta(seconds=LEASE), limit=10, lease_seconds=60
        )
    assert early == []
    assert [e.id for e in late] == ["evt_0000", "evt_0001", "evt_0002"]


async def test_a_claim_takes_the_oldest_due_events_of_both_kinds_together(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """Pending events and events whose worker vanished are read apart (each in its own
    index order) and claimed together, oldest first, up to the limit."""
    await stored(session_factory, *(inbox_event(n) for n in (1, 3)))
    async with session_factory() as session:  # worker-a claims evt_0001 and evt_0003, dies
        await SqlaEventInbox(session).claim_due(
            worker_id="worker-a", now=NOW, limit=10, lease_seconds=LEASE
        )
        await SqlaTransactionManager(session).commit()
    await stored(session_factory, *(inbox_event(n) for n in (0, 2, 4)))
    later = NOW + timedelta(seconds=LEASE)

    async with session_factory() as session:
        inbox = SqlaEventInbox(session)
        first = await inbox.claim_due(worker_id="worker-b", now=later, limit=3, lease_seconds=60)
        rest = await inbox.claim_due(worker_id="worker-b", now=later, limit=3, lease_seconds=60)
        await SqlaTransactionManager(session).commit()

    assert [e.id for e in first] == ["evt_0000", "evt_0001", "evt_0002"]
    assert [e.id for e in rest] == ["evt_0003", "evt_0004"]


@only_postgres
async def test_a_claim_reads_the_pending_events_in_index_order_without_sorting_them_all(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """With thousands pending, the claim must not fetch and sort every pending event
    (``ORDER BY created, id`` did: 50 ms a claim for 90,000, whatever the statistics)."""
    from sqlalchemy.dialects import postgresql

    from adapters.persistence.event_inbox import _claim_due

    statement = _claim_due(worker_id="w", now=NOW, limit=50, lease_seconds=LEASE)
    compiled = statement.compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    async with session_factory() as session:
        result = await session.execute(text(f"EXPLAIN {compiled}"))
        plan = "\n".join(row[0] for row in result)
    assert "Sort Key: webhook_events" not in plan  # only the claimed few are sorted
