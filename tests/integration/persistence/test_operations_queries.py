"""Pruning, the queue backlog, the outbox's listing and requeue, the audit read back:
on PostgreSQL and SQLite, through the use cases operators run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.persistence import SqlaTransactionManager
from adapters.persistence.access_audit import SqlaPortalAccessAudit, SqlaPortalAccessHistory
from adapters.persistence.outbox import SqlaOutbox
from adapters.persistence.queue_monitor import SqlaQueueMonitor
from adapters.persistence.retention import SqlaDataRetention
from adapters.persistence.tables import (
    email_outbox,
    portal_access_audit,
    rate_limit_buckets,
    webhook_events,
)
from application.operations.errors import EmailNotFound, RetentionTooShort
from application.operations.list_portal_access import ListPortalAccess
from application.operations.prune_data import PruneData, RetentionPolicy
from application.operations.retry_emails import RetryEmails
from application.ports.access_audit import PortalAccessRecord
from application.ports.data_retention import RetainedData
from application.ports.outbox import OutboxStatus

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class FixedClock:
    def now(self) -> datetime:
        return NOW


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def event_row(event_id: str, status: str, age_days: float) -> dict[str, Any]:
    at = days_ago(age_days)
    return {
        "id": event_id, "type": "customer.updated", "created": at, "livemode": False,
        "payload": {"id": event_id}, "status": status, "attempts": 0, "next_attempt_at": at,
        "received_at": at, "processed_at": None if status == "pending" else at,
    }  # fmt: skip


def email_row(key: str, status: str, age_days: float) -> dict[str, Any]:
    at = days_ago(age_days)
    return {
        "key": key, "template": "plan_changed", "recipient": "a@example.com", "context": {},
        "status": status, "attempts": 8 if status == "failed" else 0, "next_attempt_at": at,
        "created_at": at, "sent_at": at if status == "sent" else None,
        "last_error": "boom" if status == "failed" else None,
    }  # fmt: skip


def audit_record(user: str, age_days: float, **changes: Any) -> PortalAccessRecord:
    fields: dict[str, Any] = {
        "user_id": user, "occurred_at": days_ago(age_days), "outcome": "portal",
        "decision": "segment", "segment": "b2b", "configuration": "b2b", **changes,
    }  # fmt: skip
    return PortalAccessRecord(**fields)


async def seed(factory: async_sessionmaker[AsyncSession]) -> None:
    async with factory() as session:
        await session.execute(
            insert(webhook_events),
            [
                event_row("evt_old_processed", "processed", 40),
                event_row("evt_old_ignored", "ignored", 40),
                event_row("evt_old_failed", "failed", 40),
                event_row("evt_old_pending", "pending", 40),
                event_row("evt_recent_processed", "processed", 5),
            ],
        )
        await session.execute(
            insert(email_outbox),
            [
                email_row("old_sent", "sent", 40),
                email_row("old_failed", "failed", 40),
                email_row("recent_sent", "sent", 2),
            ],
        )
        await session.execute(
            insert(rate_limit_buckets),
            [
                {"key": "portal:u1", "refilled_at_us": microseconds(days_ago(3))},
                {"key": "portal:u2", "refilled_at_us": microseconds(NOW + timedelta(minutes=1))},
            ],
        )
        audit = SqlaPortalAccessAudit(session)
        await audit.record(audit_record("user_old", 400))
        await audit.record(audit_record("user_new", 1))
        await SqlaTransactionManager(session).commit()


def microseconds(moment: datetime) -> int:
    return round(moment.timestamp() * 1_000_000)


async def ids(factory: async_sessionmaker[AsyncSession], column: Any) -> set[str]:
    async with factory() as session:
        return set((await session.execute(select(column))).scalars())


async def prune(
    factory: async_sessionmaker[AsyncSession], *, dry_run: bool, batch_size: int = 1000
) -> dict[RetainedData, int]:
    async with factory() as session:
        use_case = PruneData(
            SqlaDataRetention(session), FixedClock(), SqlaTransactionManager(session)
        )
        result = await use_case.execute(RetentionPolicy(), dry_run=dry_run, batch_size=batch_size)
    return result.removed


async def test_prune_removes_only_what_is_done_with_and_old_in_small_batches(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await seed(session_factory)

    counted = await prune(session_factory, dry_run=True)
    assert await ids(session_factory, webhook_events.c.id) >= {"evt_old_processed"}
    removed = await prune(session_factory, dry_run=False, batch_size=1)

    expected = {
        RetainedData.INBOX: 2, RetainedData.OUTBOX: 1,
        RetainedData.RATE_LIMITS: 1, RetainedData.AUDIT: 1,
    }  # fmt: skip
    assert counted == expected
    assert removed == expected
    assert await ids(session_factory, webhook_events.c.id) == {
        "evt_old_failed", "evt_old_pending", "evt_recent_processed",
    }  # fmt: skip
    assert await ids(session_factory, email_outbox.c.key) == {"old_failed", "recent_sent"}
    assert await ids(session_factory, portal_access_audit.c.user_id) == {"user_new"}
    async with session_factory() as session:
        counters = await session.scalar(select(func.count()).select_from(rate_limit_buckets))
    assert counters == 1
    assert await prune(session_factory, dry_run=False) == dict.fromkeys(RetainedData, 0)


async def test_the_inbox_is_kept_at_least_stripes_event_window(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        use_case = PruneData(
            SqlaDataRetention(session), FixedClock(), SqlaTransactionManager(session)
        )
        with pytest.raises(RetentionTooShort, match="at least 30 days"):
            await use_case.execute(RetentionPolicy(inbox_days=29))


async def test_the_backlog_counts_pending_and_parked_rows(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await seed(session_factory)

    async with session_factory() as session:
        snapshot = await SqlaQueueMonitor(session).snapshot()

    assert (snapshot.inbox.pending, snapshot.inbox.parked) == (1, 1)
    assert snapshot.inbox.oldest_pending_at == days_ago(40)
    assert (snapshot.outbox.pending, snapshot.outbox.parked) == (0, 1)
    assert snapshot.outbox.oldest_pending_at is None
    assert snapshot.last_event_received_at == days_ago(5)


async def test_failed_emails_are_listed_and_queued_again(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await seed(session_factory)

    async with session_factory() as session:
        failed = await SqlaOutbox(session).list_messages(status=OutboxStatus.FAILED)
        retry = RetryEmails(SqlaOutbox(session), FixedClock(), SqlaTransactionManager(session))
        queued = await retry.execute()
        with pytest.raises(EmailNotFound):
            await retry.execute("no_such_key")
        again = await retry.execute("recent_sent")
    async with session_factory() as session:
        pending = await SqlaOutbox(session).list_messages(status=OutboxStatus.PENDING)

    assert [m.key for m in failed] == ["old_failed"]
    assert (queued, again) == (1, 1)
    assert {(m.key, m.attempts, m.sent_at) for m in pending} == {
        ("old_failed", 0, None), ("recent_sent", 0, None),
    }  # fmt: skip


async def test_the_audit_reads_back_with_segments_and_totals(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await seed(session_factory)
    async with session_factory() as session:
        await SqlaPortalAccessAudit(session).record(
            audit_record("user_new", 0.5, outcome="refused", decision="RateLimited", segment=None)
        )
        await SqlaTransactionManager(session).commit()

    async with session_factory() as session:
        history = ListPortalAccess(SqlaPortalAccessHistory(session))
        recent = await history.execute(since=days_ago(2))
        everyone = await history.execute(user_id="user_old")

    assert [(e.user_id, e.outcome, e.segment) for e in recent.entries] == [
        ("user_new", "refused", None), ("user_new", "portal", "b2b"),
    ]  # fmt: skip
    assert recent.totals == (
        (("portal", "segment", "b2b"), 1), (("refused", "RateLimited", "-"), 1),
    )  # fmt: skip
    assert [e.occurred_at for e in everyone.entries] == [days_ago(400)]
