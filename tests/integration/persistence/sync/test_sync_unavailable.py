"""The sync repositories on an unreachable database raise PersistenceUnavailable."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.persistence import (
    SqlaBillingAuditLog,
    SqlaBillingMirror,
    SqlaEventInbox,
    SqlaOutbox,
    create_engine,
    create_session_factory,
)
from application.errors import PersistenceUnavailable
from application.ports.billing_audit_log import BillingAuditEntry
from application.ports.event_inbox import InboxEvent
from application.ports.outbox import OutboxMessage

from .mirror_records import customer

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
async def broken_session() -> AsyncIterator[AsyncSession]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    engine = create_engine(f"postgresql://portal@127.0.0.1:{port}/portal", connect_timeout=2)
    async with create_session_factory(engine)() as session:
        yield session
    await engine.dispose()


CALLS: dict[str, Callable[[AsyncSession], Awaitable[object]]] = {
    "inbox.store": lambda s: SqlaEventInbox(s).store(
        InboxEvent("evt_1", "customer.created", NOW, False, {}, NOW)
    ),
    "inbox.claim_due": lambda s: SqlaEventInbox(s).claim_due(
        worker_id="w", now=NOW, limit=1, lease_seconds=1
    ),
    "inbox.requeue_failed": lambda s: SqlaEventInbox(s).requeue_failed(now=NOW),
    "mirror.get_customer": lambda s: SqlaBillingMirror(s).get_customer("cus_1"),
    "mirror.save_customer": lambda s: SqlaBillingMirror(s).save_customer(customer()),
    "mirror.list_invoices": lambda s: SqlaBillingMirror(s).list_invoices("cus_1", limit=1),
    "outbox.enqueue": lambda s: SqlaOutbox(s).enqueue(OutboxMessage("k", "t", "a@b.c", NOW)),
    "outbox.mark_sent": lambda s: SqlaOutbox(s).mark_sent("k", now=NOW),
    "audit.record": lambda s: SqlaBillingAuditLog(s).record(
        BillingAuditEntry("portal.session.created", "evt_1", NOW, "bps_1")
    ),
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
async def test_a_database_failure_is_persistence_unavailable(
    broken_session: AsyncSession, call: Callable[[AsyncSession], Awaitable[object]]
) -> None:
    with pytest.raises(PersistenceUnavailable, match="database failure while"):
        await call(broken_session)
