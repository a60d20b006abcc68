"""SqlaPageSessions: billing-page sessions every process sees, ended for all at sign-out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence import SqlaPageSessions, create_engine
from adapters.persistence.tables import page_sessions
from application.ports.page_sessions import PageSession

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def a_session(session_id: str = "sid-1", minutes: int = 60) -> PageSession:
    return PageSession(session_id, "user_1", NOW + timedelta(minutes=minutes), "ada@example.com")


async def test_a_session_opened_in_one_process_is_seen_and_closed_by_another(
    engine: AsyncEngine, database_url: str
) -> None:
    other_engine = create_engine(database_url)
    here, there = SqlaPageSessions(engine), SqlaPageSessions(other_engine)
    try:
        await here.open(a_session(), now=NOW)
        seen = await there.find("sid-1", now=NOW)
        await there.close("sid-1")
        after_sign_out = await here.find("sid-1", now=NOW)
    finally:
        await other_engine.dispose()

    assert seen == a_session()
    assert after_sign_out is None


async def test_an_expired_or_unknown_session_is_not_found(engine: AsyncEngine) -> None:
    store = SqlaPageSessions(engine)
    await store.open(a_session(minutes=1), now=NOW)

    assert await store.find("sid-1", now=NOW + timedelta(seconds=59)) is not None
    assert await store.find("sid-1", now=NOW + timedelta(minutes=1)) is None
    assert await store.find("sid-unknown", now=NOW) is None
    await store.close("sid-unknown")  # nothing to end: no error


async def test_only_a_digest_of_the_session_id_is_stored_and_expired_rows_go(
    engine: AsyncEngine,
) -> None:
    store = SqlaPageSessions(engine, prune_every_seconds=60)
    await store.open(a_session("sid-short", minutes=1), now=NOW)
    await store.open(a_session("sid-long", minutes=60), now=NOW + timedelta(minutes=2))

    async with engine.connect() as connection:
        ids = set((await connection.execute(select(page_sessions.c.id_hash))).scalars())
        count = (await connection.execute(select(func.count()).select_from(page_sessions))).scalar()

    assert count == 1  # the expired one was pruned when the next session opened
    assert "sid-long" not in ids
    assert [len(stored) for stored in ids] == [64]
