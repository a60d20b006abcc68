"""SqlaEventInbox on PostgreSQL and SQLite: store once, claim with a lease, mark, requeue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.persistence import SqlaEventInbox, SqlaTransactionManager
from application.ports.event_inbox import EventStatus, InboxEvent
from application.sync.settings import SyncSettings

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LEASE = SyncSettings().lease_seconds  # 30 s: a killed worker's events wait that long


def inbox_event(n: int, *, type: str = "customer.updated", **changes: object) -> InboxEvent:
    created = NOW - timedelta(hours=1) + timedelta(seconds=n)
    payload = {"id": f"evt_{n:04}", "type": type, "created": int(created.timestamp()),
               "data": {"object": {"id": "cus_1", "email": None, "tags": ["a", 1]}}}  # fmt: skip
    fields: dict[str, object] = {
        "id": f"evt_{n:04}", "type": type, "created": created, "livemode": False,
        "payload": payload, "received_at": NOW - timedelta(minutes=1), **changes,
    }  # fmt: skip
    return InboxEvent(**fields)  # type: ignore[arg-type]


async def stored(factory: async_sessionmaker[AsyncSession], *events: InboxEvent) -> None:
    async with factory() as session:
        for event in events:
            await SqlaEventInbox(session).store(event)
        await SqlaTransactionManager(session).commit()


async def claim(
    factory: async_sessionmaker[AsyncSession], worker: str, now: datetime = NOW, limit: int = 10
) -> list[str]:
    async with factory() as session:
        claimed = await SqlaEventInbox(session).claim_due(
            worker_id=worker, now=now, limit=limit, lease_seconds=LEASE
        )
        await SqlaTransactionManager(session).commit()
    return [e.id for e in claimed]


async def test_the_same_event_stored_five_times_is_kept_once_and_reads_back_exactly(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    event = inbox_event(1)
    answers = []
    for _ in range(5):
        async with session_factory() as session:
            answers.append(await SqlaEventInbox(session).store(event))
            await SqlaTransactionManager(session).commit()

    assert answers == [True, False, False, False, False]
    async with session_factory() as session:
        inbox = SqlaEventInbox(session)
        assert await inbox.get("evt_0001") == event
        assert await inbox.list_events() == [event]
        assert await inbox.get("evt_missing") is None


async def test_claims_due_events_oldest_first_and_leases_them_to_one_worker(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    later = inbox_event(4, next_attempt_at=NOW + timedelta(seconds=20))
    await stored(session_factory, inbox_event(3), inbox_event(1), inbox_event(2), later)

    assert await claim(session_factory, "worker-a", limit=2) == ["evt_0001", "evt_0002"]
    assert await claim(session_factory, "worker-b") == ["evt_0003"]
    assert await claim(session_factory, "worker-c") == []
    assert await claim(session_factory, "worker-c", now=NOW + timedelta(seconds=20)) == ["evt_0004"]
    async with session_factory() as session:
        claimed = await SqlaEventInbox(session).get("evt_0001")
    assert claimed is not None
    assert claimed.status is EventStatus.PENDING  # still to be done, as far as anyone can tell


async def test_an_expired_lease_is_claimed_again_but_a_marked_event_never_is(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await stored(session_factory, inbox_event(1), inbox_event(2))
    assert await claim(session_factory, "worker-a") == ["evt_0001", "evt_0002"]
    async with session_factory() as session:
        await SqlaEventInbox(session).mark_processed("evt_0001", now=NOW)
        await SqlaTransactionManager(session).commit()

    just_before = NOW + timedelta(seconds=LEASE - 1)
    assert await claim(session_factory, "worker-b", now=just_before) == []
    after = NOW + timedelta(seconds=LEASE)
    assert await claim(session_factory, "worker-b", now=after) == ["evt_0002"]
    assert await claim(session_factory, "worker-c", now=after) == []
    async with session_factory() as session:
        await SqlaEventInbox(session).mark_processed("evt_0002", now=after)
        await SqlaTransactionManager(session).commit()
    assert await claim(session_factory, "worker-c", now=after + timedelta(days=1)) == []


async def renew(factory: async_sessionmaker[AsyncSession], worker: str, now: datetime) -> int:
    async with factory() as session:
        renewed = await SqlaEventInbox(session).renew_leases(
            worker_id=worker, now=now, lease_seconds=LEASE
        )
        await SqlaTransactionManager(session).commit()
    return renewed


async def test_a_killed_workers_events_are_claimed_by_another_half_a_minute_later(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await stored(session_factory, inbox_event(1))
    assert await claim(session_factory, "worker-a") == ["evt_0001"]  # then kill -9

    assert await claim(session_factory, "worker-b", now=NOW + timedelta(seconds=29)) == []
    assert await claim(session_factory, "worker-b", now=NOW + timedelta(seconds=30)) == ["evt_0001"]


async def test_a_renewed_lease_holds_until_the_worker_stops_renewing(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await stored(session_factory, inbox_event(1), inbox_event(2), inbox_event(3))
    assert await claim(session_factory, "worker-a", limit=2) == ["evt_0001", "evt_0002"]
    assert await claim(session_factory, "worker-b") == ["evt_0003"]
    async with session_factory() as session:
        await SqlaEventInbox(session).mark_processed("evt_0002", now=NOW)
        await SqlaTransactionManager(session).commit()

    claimed_by_c = []
    for beat in (10, 20, 30, 40):  # the heartbeat, every lease / 3
        assert await renew(session_factory, "worker-a", NOW + timedelta(seconds=beat)) == 1
        claimed_by_c += await claim(session_factory, "worker-c", NOW + timedelta(seconds=beat))

    assert claimed_by_c == ["evt_0003"]  # worker-b never renewed: its event was free at 30 s
    async with session_factory() as session:
        await SqlaEventInbox(session).mark_processed("evt_0003", now=NOW)
        await SqlaTransactionManager(session).commit()
    assert await claim(session_factory, "worker-c", now=NOW + timedelta(seconds=69)) == []
    assert await claim(session_factory, "worker-c", now=NOW + timedelta(seconds=70)) == ["evt_0001"]
    # worker-a lost its claim to worker-c: its late heartbeat renews nothing of worker-c's
    assert await renew(session_factory, "worker-a", NOW + timedelta(seconds=71)) == 0


async def test_marks_record_the_outcome(session_factory: async_sessionmaker[AsyncSession]) -> None:
    await stored(session_factory, *(inbox_event(n) for n in (1, 2, 3, 4)))
    await claim(session_factory, "worker-a")
    retry_at = NOW + timedelta(minutes=1)
    async with session_factory() as session:
        inbox = SqlaEventInbox(session)
        await inbox.mark_processed("evt_0001", now=NOW)
        await inbox.mark_ignored("evt_0002", now=NOW, note="no handler for 'x'")
        await inbox.mark_failed("evt_0003", now=NOW, error="Boom: once", retry_at=retry_at)
        await inbox.mark_failed("evt_0004", now=NOW, error="Boom: for good", retry_at=None)
        await SqlaTransactionManager(session).commit()

    async with session_factory() as session:
        inbox = SqlaEventInbox(session)
        processed, ignored, retrying, parked = [
            await inbox.get(f"evt_000{n}") for n in (1, 2, 3, 4)
        ]
    assert processed == inbox_event(1, status=EventStatus.PROCESSED, processed_at=NOW)
    assert ignored == inbox_event(
        2, status=EventStatus.IGNORED, processed_at=NOW, note="no handler for 'x'"
    )
    assert retrying == inbox_event(3, attempts=1, next_attempt_at=retry_at, last_error="Boom: once")
    assert parked == inbox_event(
        4, status=EventStatus.FAILED, attempts=1, last_error="Boom: for good"
    )
    assert await claim(session_factory, "worker-b", now=retry_at - timedelta(seconds=1)) == []
    assert await claim(session_factory, "worker-b", now=retry_at) == ["evt_0003"]


async def test_failures_count_up_and_requeueing_starts_over(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await stored(session_factory, inbox_event(1), inbox_event(2), inbox_event(3))
    async with session_factory() as session:
        inbox = SqlaEventInbox(session)
        for _ in range(3):
            await inbox.mark_failed("evt_0001", now=NOW, error="e", retry_at=NOW)
        await inbox.mark_failed("evt_0001", now=NOW, error="last", retry_at=None)
        await inbox.mark_failed("evt_0002", now=NOW, error="last", retry_at=None)
        await inbox.mark_processed("evt_0003", now=NOW)
        await SqlaTransactionManager(session).commit()

    async with session_factory() as session:
        inbox = SqlaEventInbox(session)
        parked = await inbox.get("evt_0001")
        assert parked is not None
        assert (parked.status, parked.attempts) == (EventStatus.FAILED, 4)
        assert await claim(session_factory, "worker-a", now=NOW + timedelta(days=9)) == []

        assert await inbox.requeue_failed(now=NOW) == 2
        assert await inbox.requeue("evt_0003", now=NOW) is True
        assert await inbox.requeue("evt_missing", now=NOW) is False
        await SqlaTransactionManager(session).commit()

        requeued = await inbox.get("evt_0001")
    assert requeued is not None
    assert (requeued.status, requeued.attempts) == (EventStatus.PENDING, 0)
    assert await claim(session_factory, "worker-a") == ["evt_0001", "evt_0002", "evt_0003"]


async def test_lists_newest_first_by_status_and_type_and_knows_which_ids_it_holds(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    invoice_paid = inbox_event(3, type="invoice.paid")
    await stored(session_factory, inbox_event(1), inbox_event(2), invoice_paid)
    async with session_factory() as session:
        await SqlaEventInbox(session).mark_failed("evt_0002", now=NOW, error="x", retry_at=None)
        await SqlaTransactionManager(session).commit()
    await claim(session_factory, "worker-a", limit=1)  # evt_0001: claimed, still pending

    async with session_factory() as session:
        inbox = SqlaEventInbox(session)
        ids = lambda events: [e.id for e in events]  # noqa: E731
        assert ids(await inbox.list_events()) == ["evt_0003", "evt_0002", "evt_0001"]
        assert ids(await inbox.list_events(limit=2)) == ["evt_0003", "evt_0002"]
        assert ids(await inbox.list_events(status=EventStatus.PENDING)) == [
            "evt_0003",
            "evt_0001",
        ]
        assert ids(await inbox.list_events(status=EventStatus.FAILED)) == ["evt_0002"]
        assert ids(await inbox.list_events(type="invoice.paid")) == ["evt_0003"]
        assert ids(await inbox.list_events(status=EventStatus.FAILED, type="invoice.paid")) == []
        assert await inbox.known_ids(["evt_0001", "evt_9999", "evt_0003"]) == {
            "evt_0001",
            "evt_0003",
        }
        assert await inbox.known_ids([]) == set()


async def test_nothing_stored_survives_a_rollback(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        assert await SqlaEventInbox(session).store(inbox_event(1)) is True
        await SqlaTransactionManager(session).rollback()
        assert await SqlaEventInbox(session).store(inbox_event(1)) is True


async def test_released_claims_are_due_at_once_for_another_worker_and_only_the_workers_own(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await stored(session_factory, inbox_event(1), inbox_event(2), inbox_event(3))
    assert await claim(session_factory, "worker-a", limit=2) == ["evt_0001", "evt_0002"]
    assert await claim(session_factory, "worker-b") == ["evt_0003"]
    async with session_factory() as session:
        inbox = SqlaEventInbox(session)
        await inbox.mark_processed("evt_0001", now=NOW)
        released = await inbox.release_claims(worker_id="worker-a")  # SIGTERM mid-batch
        await SqlaTransactionManager(session).commit()

    assert released == 1  # the processed one is no one's claim any more
    assert await claim(session_factory, "worker-c") == ["evt_0002"]  # now, not a lease later
    async with session_factory() as session:
        assert (await SqlaEventInbox(session).renew_leases(
            worker_id="worker-b", now=NOW, lease_seconds=LEASE
        )) == 1  # fmt: skip


async def test_a_batch_marks_its_events_processed_at_once_and_knows_which_it_still_holds(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await stored(session_factory, *(inbox_event(n) for n in range(5)))
    mine = await claim(session_factory, "worker-a", limit=4)
    async with session_factory() as session:
        inbox = SqlaEventInbox(session)
        await inbox.mark_processed_many(mine[:2], now=NOW)
        await inbox.mark_ignored_many([mine[3]], now=NOW, note="no handler")
        await SqlaTransactionManager(session).commit()

        held = await inbox.held_by(worker_id="worker-a", event_ids=[*mine, "evt_0004"])
        assert held == {mine[2]}
        assert await inbox.held_by(worker_id="worker-b", event_ids=mine) == set()
        done = await inbox.list_events(status=EventStatus.PROCESSED)
        ignored = await inbox.get(mine[3])
    assert sorted(e.id for e in done) == sorted(mine[:2])
    assert all(e.processed_at == NOW for e in done)
    assert ignored is not None
    assert (ignored.status, ignored.note) == (EventStatus.IGNORED, "no handler")
    assert await claim(session_factory, "worker-b") == ["evt_0004"]  # marked ones are not due
