"""SqlaOutbox and SqlaBillingAuditLog on PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.persistence import SqlaBillingAuditLog, SqlaOutbox, SqlaTransactionManager
from adapters.persistence.tables import billing_audit_log
from application.ports.billing_audit_log import BillingAuditEntry
from application.ports.outbox import OutboxMessage, OutboxStatus

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def message(key: str, minutes_ago: int = 0, **changes: object) -> OutboxMessage:
    fields: dict[str, object] = {
        "key": key, "template": "plan_changed", "to": "ada@example.com",
        "created_at": NOW - timedelta(minutes=minutes_ago),
        "context": {"from": "Basic", "to": "Pro", "amounts": [1, None], "nested": {"a": "é"}},
        **changes,
    }  # fmt: skip
    return OutboxMessage(**fields)  # type: ignore[arg-type]


async def claim(
    factory: async_sessionmaker[AsyncSession], worker: str, now: datetime = NOW
) -> list[OutboxMessage]:
    async with factory() as session:
        claimed = await SqlaOutbox(session).claim_due(
            worker_id=worker, now=now, limit=10, lease_seconds=60
        )
        await SqlaTransactionManager(session).commit()
    return claimed


async def test_a_key_is_queued_once_whatever_its_status(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        outbox = SqlaOutbox(session)
        assert await outbox.enqueue(message("evt_1:plan_changed")) is True
        assert await outbox.enqueue(message("evt_1:plan_changed", to="x@example.com")) is False
        await SqlaTransactionManager(session).commit()
    [claimed] = await claim(session_factory, "worker-a")
    assert claimed == message("evt_1:plan_changed")
    async with session_factory() as session:
        outbox = SqlaOutbox(session)
        await outbox.mark_sent("evt_1:plan_changed", now=NOW)
        await SqlaTransactionManager(session).commit()
        assert await outbox.enqueue(message("evt_1:plan_changed")) is False

    assert await claim(session_factory, "worker-b", now=NOW + timedelta(days=1)) == []


async def test_claims_due_messages_oldest_first_under_a_lease(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    later = message("k_later", next_attempt_at=NOW + timedelta(seconds=30))
    async with session_factory() as session:
        outbox = SqlaOutbox(session)
        for queued in (message("k_new", 1), message("k_old", 5), later):
            await outbox.enqueue(queued)
        await SqlaTransactionManager(session).commit()

    assert [m.key for m in await claim(session_factory, "worker-a")] == ["k_old", "k_new"]
    assert await claim(session_factory, "worker-b", now=NOW + timedelta(seconds=29)) == []
    at_30 = NOW + timedelta(seconds=30)
    assert [m.key for m in await claim(session_factory, "worker-b", now=at_30)] == ["k_later"]
    lease_over = NOW + timedelta(seconds=60)  # worker-a never marked its two
    assert [m.key for m in await claim(session_factory, "worker-c", now=lease_over)] == [
        "k_old",
        "k_new",
    ]


async def test_the_heartbeat_keeps_a_workers_emails_and_a_silent_worker_loses_them(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        for key in ("k_a", "k_b"):
            await SqlaOutbox(session).enqueue(message(key))
        await SqlaTransactionManager(session).commit()
    assert [m.key for m in await claim(session_factory, "worker-a")] == ["k_a", "k_b"]
    async with session_factory() as session:
        await SqlaOutbox(session).mark_sent("k_b", now=NOW)
        renewed = await SqlaOutbox(session).renew_leases(
            worker_id="worker-a", now=NOW + timedelta(seconds=50), lease_seconds=60
        )
        await SqlaTransactionManager(session).commit()

    assert renewed == 1  # the sent one is no one's claim any more
    assert await claim(session_factory, "worker-b", now=NOW + timedelta(seconds=109)) == []
    reclaimed = await claim(session_factory, "worker-b", now=NOW + timedelta(seconds=110))
    assert [m.key for m in reclaimed] == ["k_a"]


async def test_failures_retry_at_the_given_time_then_park(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    retry_at = NOW + timedelta(minutes=2)
    async with session_factory() as session:
        outbox = SqlaOutbox(session)
        await outbox.enqueue(message("k_1"))
        await outbox.enqueue(message("k_2"))
        await SqlaTransactionManager(session).commit()
    await claim(session_factory, "worker-a")
    async with session_factory() as session:
        outbox = SqlaOutbox(session)
        await outbox.mark_failed("k_1", now=NOW, error="421 try later", retry_at=retry_at)
        await outbox.mark_failed("k_2", now=NOW, error="unknown template", retry_at=None)
        await SqlaTransactionManager(session).commit()

    assert await claim(session_factory, "worker-b", now=retry_at - timedelta(seconds=1)) == []
    [retried] = await claim(session_factory, "worker-b", now=retry_at)
    assert retried == message(
        "k_1", attempts=1, next_attempt_at=retry_at, last_error="421 try later"
    )
    assert retried.status is OutboxStatus.PENDING
    assert await claim(session_factory, "worker-c", now=NOW + timedelta(days=30)) == [retried]


async def test_audit_entries_are_kept_once_per_event_and_logged(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    drift = BillingAuditEntry(
        kind="portal.configuration.drift", event_id="evt_1", occurred_at=NOW,
        subject_id="bpc_1", detail="features.invoice_history.enabled changed outside the catalog",
    )  # fmt: skip
    session_created = BillingAuditEntry(
        kind="portal.session.created", event_id="evt_2", occurred_at=NOW,
        subject_id="bps_" + "x" * 400, customer_id="cus_1",
    )  # fmt: skip
    with structlog.testing.capture_logs() as logs:
        async with session_factory() as session:
            audit = SqlaBillingAuditLog(session)
            for entry in (drift, session_created, drift):  # the drift event replayed
                await audit.record(entry)
            await SqlaTransactionManager(session).commit()

    async with session_factory() as session:
        rows = (
            await session.execute(
                select(billing_audit_log.c.kind, func.length(billing_audit_log.c.subject_id))
                .order_by(billing_audit_log.c.kind)
            )
        ).all()  # fmt: skip
    assert [tuple(r) for r in rows] == [
        ("portal.configuration.drift", 5),
        ("portal.session.created", 255),
    ]
    assert [(log["event"], log["log_level"]) for log in logs] == [
        ("portal.configuration.drift", "warning"),
        ("portal.session.created", "info"),
        ("portal.configuration.drift", "warning"),
    ]


async def test_a_stopping_workers_released_emails_are_due_at_once_for_another_worker(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        for key in ("k_a", "k_b", "k_c"):
            await SqlaOutbox(session).enqueue(message(key))
        await SqlaTransactionManager(session).commit()
    assert len(await claim(session_factory, "worker-a")) == 3
    async with session_factory() as session:
        await SqlaOutbox(session).mark_sent("k_a", now=NOW)
        released = await SqlaOutbox(session).release_claims(worker_id="worker-a")
        await SqlaTransactionManager(session).commit()

    assert released == 2
    assert sorted(m.key for m in await claim(session_factory, "worker-b")) == ["k_b", "k_c"]


async def test_a_message_marked_sent_committed_is_durable_on_its_own(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """The sender's mark (on PostgreSQL one autocommitted statement): another session sees
    it at once, the marking session holds no transaction, and the message is never
    claimed again."""
    async with session_factory() as session:
        await SqlaOutbox(session).enqueue(message("evt_2:plan_changed"))
        await SqlaTransactionManager(session).commit()
    [claimed] = await claim(session_factory, "worker-a")
    async with session_factory() as session:
        await SqlaOutbox(session).mark_sent_committed(claimed.key, now=NOW)
        assert not session.in_transaction()
        async with session_factory() as other:
            [seen] = await SqlaOutbox(other).list_messages(status=OutboxStatus.SENT)
        await session.rollback()  # nothing was pending: the mark stays
    assert (seen.key, seen.sent_at) == ("evt_2:plan_changed", NOW)
    async with session_factory() as session:
        [kept] = await SqlaOutbox(session).list_messages()
    assert kept.status is OutboxStatus.SENT
    assert await claim(session_factory, "worker-b", now=NOW + timedelta(days=1)) == []
