"""SqlaPortalAccessAudit: every attempt is a row in the caller's transaction and a log line."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import pytest
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from structlog.testing import capture_logs

from adapters.persistence import SqlaPortalAccessAudit, SqlaTransactionManager
from adapters.persistence.access_audit import MAX_USER_AGENT
from adapters.persistence.tables import portal_access_audit as audit
from application.ports.access_audit import PortalAccessRecord

OPENED = PortalAccessRecord(
    user_id="user-carol",
    occurred_at=datetime(2025, 5, 4, 3, 2, 1, tzinfo=UTC),
    outcome="portal",
    decision="segment",
    stripe_customer_id="cus_Carol",
    configuration="b2c",
    flow="payment_method_update",
    portal_session_id="bps_123",
    request_id="req-1",
    client_address="203.0.113.9",
    user_agent="Mozilla/5.0",
    channel="api",
)
REFUSED = PortalAccessRecord(
    user_id="user-carol",
    occurred_at=datetime(2025, 5, 4, 3, 2, 5, tzinfo=UTC),
    outcome="refused",
    decision="RateLimited",
    channel="cli",
)


@pytest.fixture
def logs() -> Iterator[list[dict[str, Any]]]:
    """The structlog events emitted during the test, whatever another test configured."""
    saved = structlog.get_config()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG))
    try:
        with capture_logs() as captured:
            yield captured
    finally:
        structlog.configure(**saved)


async def _rows(session: AsyncSession) -> list[PortalAccessRecord]:
    result = await session.execute(select(audit).order_by(audit.c.id))
    return [
        PortalAccessRecord(**{k: v for k, v in row._mapping.items() if k != "id"}) for row in result
    ]


async def test_each_attempt_is_stored_with_every_field_once_committed(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        recorder = SqlaPortalAccessAudit(session)
        await recorder.record(OPENED)
        await recorder.record(REFUSED)
        await SqlaTransactionManager(session).commit()

    async with session_factory() as session:
        assert await _rows(session) == [OPENED, REFUSED]


async def test_each_attempt_is_logged_as_portal_access_decided(
    session: AsyncSession, logs: list[dict[str, Any]]
) -> None:
    await SqlaPortalAccessAudit(session).record(OPENED)

    assert logs == [
        {
            "event": "portal.access.decided",
            "log_level": "info",
            **asdict(OPENED),
            "occurred_at": "2025-05-04T03:02:01+00:00",
        }
    ]


async def test_a_rolled_back_attempt_leaves_no_row(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        await SqlaPortalAccessAudit(session).record(OPENED)
        await SqlaTransactionManager(session).rollback()
        assert await _rows(session) == []


async def test_overlong_text_is_cut_short_rather_than_failing_the_attempt(
    session: AsyncSession, logs: list[dict[str, Any]]
) -> None:
    noisy = PortalAccessRecord(
        user_id="user-dave",
        occurred_at=datetime(2025, 5, 4, tzinfo=UTC),
        outcome="redirect",
        decision="never_subscribed",
        request_id="r" * 1000,
        user_agent="x" * 5000,
    )

    await SqlaPortalAccessAudit(session).record(noisy)

    [stored] = await _rows(session)
    assert stored.user_agent == "x" * MAX_USER_AGENT
    assert stored.request_id == "r" * 128
    assert logs[0]["user_agent"] == "x" * MAX_USER_AGENT


async def test_record_and_commit_keeps_the_row_with_all_its_fields(
    session_factory: async_sessionmaker[AsyncSession], logs: list[dict[str, Any]]
) -> None:
    """On PostgreSQL with nothing pending this is one autocommitted INSERT on the
    session's connection; elsewhere record, then commit: the same row either way."""
    async with session_factory() as session:
        await SqlaPortalAccessAudit(session).record_and_commit(
            OPENED, SqlaTransactionManager(session)
        )
    async with session_factory() as other:
        assert await _rows(other) == [OPENED]
    assert [e["event"] for e in logs] == ["portal.access.decided"]


async def test_record_and_commit_commits_what_the_transaction_already_holds(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        audit_log = SqlaPortalAccessAudit(session)
        await audit_log.record(REFUSED)  # an open transaction on the connection
        await audit_log.record_and_commit(OPENED, SqlaTransactionManager(session))
        await SqlaTransactionManager(session).rollback()  # nothing left to undo
    async with session_factory() as other:
        assert await _rows(other) == [REFUSED, OPENED]


async def test_record_and_commit_refuses_a_naive_time(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    naive = PortalAccessRecord(
        user_id="user-x", occurred_at=datetime(2025, 5, 4), outcome="portal", decision="segment"
    )
    async with session_factory() as session:
        with pytest.raises(Exception, match="naive"):
            await SqlaPortalAccessAudit(session).record_and_commit(
                naive, SqlaTransactionManager(session)
            )
