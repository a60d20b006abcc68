"""GroupCommitEventIntake: concurrent webhook deliveries share commits, each answered
only once its event is durable, each id stored once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
import sqlalchemy
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence import create_engine
from adapters.persistence.event_intake import GroupCommitEventIntake
from adapters.persistence.tables import webhook_events
from adapters.webhooks.verified_event import VerifiedEvent
from application.errors import PersistenceUnavailable
from application.ports.event_inbox import InboxEvent

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def event(event_id: str) -> InboxEvent:
    payload = {"id": event_id, "type": "invoice.paid", "data": {"object": {"id": "in_1"}}}
    return InboxEvent(
        id=event_id, type="invoice.paid", created=NOW, livemode=False, payload=payload,
        received_at=NOW, next_attempt_at=NOW,
    )  # fmt: skip


_INTAKES: list[GroupCommitEventIntake] = []


def kept(intake: GroupCommitEventIntake) -> GroupCommitEventIntake:
    """``intake``, closed after the test (it keeps connections between batches)."""
    _INTAKES.append(intake)
    return intake


@pytest.fixture(autouse=True)
async def _close_intakes() -> AsyncIterator[None]:
    yield
    while _INTAKES:
        await _INTAKES.pop().close()


async def stored_ids(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return list((await connection.execute(select(webhook_events.c.id))).scalars())


async def test_a_burst_of_deliveries_is_stored_once_each_and_answered_after_its_commit(
    engine: AsyncEngine, database_url: str
) -> None:
    intake = kept(GroupCommitEventIntake(engine))
    observer = create_engine(database_url)  # another connection: sees only committed rows
    seen_on_answer: dict[str, bool] = {}

    async def deliver(event_id: str) -> bool:
        new = await intake.admit(event(event_id))
        async with observer.connect() as connection:
            query = select(func.count()).where(webhook_events.c.id == event_id)
            seen_on_answer[event_id] = (await connection.execute(query)).scalar_one() == 1
        return new

    ids = [f"evt_{n}" for n in range(40)] + ["evt_7"] * 5  # evt_7 redelivered meanwhile
    try:
        answers = await asyncio.gather(*(deliver(i) for i in ids))
    finally:
        await observer.dispose()

    assert sorted(await stored_ids(engine)) == sorted(set(ids))
    assert all(answers[:40])  # every first delivery is new
    assert answers[40:] == [False] * 5  # the redeliveries of evt_7 are duplicates
    assert all(seen_on_answer.values())  # nobody heard "stored" before it was committed


async def test_a_redelivery_after_the_commit_is_a_duplicate(engine: AsyncEngine) -> None:
    intake = kept(GroupCommitEventIntake(engine))

    assert await intake.admit(event("evt_once")) is True
    assert await intake.admit(event("evt_once")) is False
    assert await stored_ids(engine) == ["evt_once"]


async def test_when_the_database_is_down_every_waiting_delivery_fails_and_none_hangs() -> None:
    engine = create_engine("postgresql://postgres@127.0.0.1:1/nowhere", connect_timeout=1)
    intake = kept(GroupCommitEventIntake(engine))
    try:
        results = await asyncio.gather(
            *(intake.admit(event(f"evt_{n}")) for n in range(5)), return_exceptions=True
        )
    finally:
        await engine.dispose()

    assert all(isinstance(r, PersistenceUnavailable) for r in results)


class CountingIntake(GroupCommitEventIntake):
    """Counts the batches that reach the database."""

    inserts = 0

    async def _insert(self, rows: list[dict[str, Any]]) -> set[str]:
        self.inserts += 1
        return await super()._insert(rows)


async def test_a_redelivery_of_a_remembered_id_is_answered_without_the_database(
    engine: AsyncEngine,
) -> None:
    intake = kept(CountingIntake(engine, remembered=2))

    assert [await intake.admit(event(i)) for i in ("evt_r1", "evt_r2")] == [True, True]
    assert intake.inserts == 2
    assert await intake.admit(event("evt_r2")) is False
    assert intake.inserts == 2  # answered from memory
    assert await intake.admit(event("evt_r3")) is True  # evt_r1 is forgotten now
    assert await intake.admit(event("evt_r1")) is False  # the database says so
    assert intake.inserts == 4
    assert sorted(await stored_ids(engine)) == ["evt_r1", "evt_r2", "evt_r3"]


async def test_a_failed_batch_is_not_remembered() -> None:
    engine = create_engine("postgresql://postgres@127.0.0.1:1/nowhere", connect_timeout=1)
    intake = kept(CountingIntake(engine))
    try:
        for _ in range(2):
            with pytest.raises(PersistenceUnavailable):
                await intake.admit(event("evt_lost"))
    finally:
        await engine.dispose()

    assert intake.inserts == 2  # the second delivery went to the database again


async def test_every_column_is_stored_as_given(engine: AsyncEngine) -> None:
    payload = {
        "id": "evt_cols",
        "type": "invoice.paid",
        "data": {"object": {"id": "in_1", "amount": 1999, "ratio": 0.25, "paid": True}},
        "text": 'Zürich ✓ "quoted" \\ back',
        "big": 123456789012345678901234567890,
        "none": None,
        "list": [1, "two", {"three": 3}],
    }
    created = datetime(2026, 11, 29, 8, 30, 15, 123456, tzinfo=UTC)
    received = datetime(2026, 11, 30, 12, 0, 1, tzinfo=UTC)
    given = InboxEvent(
        id="evt_cols", type="invoice.paid", created=created, livemode=True, payload=payload,
        received_at=received, next_attempt_at=received,
    )  # fmt: skip

    assert await kept(GroupCommitEventIntake(engine)).admit(given) is True

    async with engine.connect() as connection:
        query = select(webhook_events).where(webhook_events.c.id == "evt_cols")
        row = (await connection.execute(query)).mappings().one()
    assert row["payload"] == payload
    assert (row["type"], row["created"], row["livemode"]) == ("invoice.paid", created, True)
    assert (row["status"], row["attempts"]) == ("pending", 0)
    assert (row["received_at"], row["next_attempt_at"]) == (received, received)
    assert (row["last_error"], row["note"], row["processed_at"]) == (None, None, None)


async def test_a_verified_body_is_stored_as_the_event_it_decodes_to(engine: AsyncEngine) -> None:
    body = (
        b'{"id": "evt_raw", "type": "invoice.paid", "n": 1.50, "big": 123456789012345678901234,'
        b' "s": "Z\\u00fcrich \\"q\\" \\\\ \xe2\x9c\x93", "data": {"object": {"id": "in_1"}}}'
    )
    payload = VerifiedEvent(body, msgspec.json.decode(body))
    given = InboxEvent(
        id="evt_raw", type="invoice.paid", created=NOW, livemode=False, payload=payload,
        received_at=NOW, next_attempt_at=NOW,
    )  # fmt: skip
    intake = kept(GroupCommitEventIntake(engine))

    assert await intake.admit(given) is True
    assert await intake.admit(event("evt_other")) is True  # the next batch is unaffected

    async with engine.connect() as connection:
        query = select(webhook_events.c.payload).where(webhook_events.c.id == "evt_raw")
        stored = (await connection.execute(query)).scalar_one()
    assert stored == msgspec.json.decode(body)
    assert stored["s"] == 'Zürich "q" \\ ✓'


async def test_a_naive_time_fails_its_own_delivery_only(engine: AsyncEngine) -> None:
    """On PostgreSQL the row is built as the delivery is admitted."""
    if engine.dialect.name != "postgresql":
        pytest.skip("on SQLite the column type refuses it, failing its whole batch")
    naive = InboxEvent(
        id="evt_naive", type="invoice.paid", created=NOW.replace(tzinfo=None), livemode=False,
        payload={"id": "evt_naive"}, received_at=NOW, next_attempt_at=NOW,
    )  # fmt: skip
    intake = kept(GroupCommitEventIntake(engine))

    results = await asyncio.gather(
        intake.admit(naive), intake.admit(event("evt_fine")), return_exceptions=True
    )

    assert isinstance(results[0], ValueError)
    assert results[1] is True
    assert await stored_ids(engine) == ["evt_fine"]


def postgres_only(engine: AsyncEngine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no connection to keep: each batch is a transaction of its own")


async def test_batches_one_after_another_share_a_kept_connection_given_back_on_close(
    engine: AsyncEngine,
) -> None:
    postgres_only(engine)
    checkouts: list[object] = []

    def checked_out(*args: object) -> None:
        checkouts.append(args)

    sqlalchemy.event.listen(engine.sync_engine, "checkout", checked_out)
    intake = GroupCommitEventIntake(engine)
    try:
        for n in range(3):
            assert await intake.admit(event(f"evt_kept_{n}")) is True
        assert len(checkouts) == 1
        assert engine.sync_engine.pool.checkedout() == 1  # type: ignore[attr-defined]
    finally:
        await intake.close()
        sqlalchemy.event.remove(engine.sync_engine, "checkout", checked_out)

    assert engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_a_kept_connection_the_server_ended_is_replaced_without_failing_a_delivery(
    engine: AsyncEngine, database_url: str
) -> None:
    postgres_only(engine)
    intake = kept(GroupCommitEventIntake(engine))
    assert await intake.admit(event("evt_before")) is True
    async with engine.connect() as connection:  # another connection: the kept one is idle
        await connection.execute(
            sqlalchemy.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND application_name = 'billing-portal' AND state = 'idle'"
            )
        )
    await asyncio.sleep(0.2)  # the server's goodbye reaches the kept connection's socket

    assert await intake.admit(event("evt_after")) is True
    assert sorted(await stored_ids(engine)) == ["evt_after", "evt_before"]


async def test_a_nul_character_is_stored_as_a_replacement_and_fails_no_other_delivery(
    engine: AsyncEngine,
) -> None:
    """PostgreSQL's jsonb cannot hold U+0000: the statement would fail, and with it every
    delivery of the batch, at each of Stripe's retries."""
    body = (
        b'{"id": "evt_nul", "type": "customer.updated", "data": {"object": {"name": "a\\u0000b"}}}'
    )
    verified = InboxEvent(
        id="evt_nul", type="customer.updated", created=NOW, livemode=False,
        payload=VerifiedEvent(body, msgspec.json.decode(body)), received_at=NOW, next_attempt_at=NOW,
    )  # fmt: skip
    mapping = replace(event("evt_nul_map"), payload={"id": "evt_nul_map", "k\x00": ["x\x00"]})
    intake = kept(GroupCommitEventIntake(engine))

    answers = await asyncio.gather(
        intake.admit(verified), intake.admit(mapping), intake.admit(event("evt_clean"))
    )

    assert answers == [True, True, True]
    async with engine.connect() as connection:
        rows = dict(
            (await connection.execute(select(webhook_events.c.id, webhook_events.c.payload))).all()
        )
    name = rows["evt_nul"]["data"]["object"]["name"]
    assert name in ("a\ufffdb", "a\x00b")  # SQLite's JSON text holds U+0000 as it is
    assert sorted(rows) == ["evt_clean", "evt_nul", "evt_nul_map"]
    if engine.dialect.name == "postgresql":
        assert name == "a\ufffdb"
        assert rows["evt_nul_map"] == {"id": "evt_nul_map", "k\ufffd": ["x\ufffd"]}
