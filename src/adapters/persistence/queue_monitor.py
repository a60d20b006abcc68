"""The inbox and outbox backlogs, read with one aggregate query per table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.persistence.errors import translate_database_errors
from adapters.persistence.event_inbox import PROCESSING
from adapters.persistence.outbox import SENDING
from adapters.persistence.tables import email_outbox, webhook_events
from application.ports.queue_monitor import QueueDepth, QueueMonitor, QueueSnapshot

_FAILED = "failed"


class SqlaQueueMonitor(QueueMonitor):
    """Pending rows include claimed ones (``processing``/``sending``) and scheduled retries.

    The inbox's age is our receipt time (``received_at``), so it measures how long events
    wait here, not how late Stripe delivered them.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def snapshot(self) -> QueueSnapshot:
        with translate_database_errors("reading the queue backlogs"):
            inbox = await self._depth(webhook_events, PROCESSING, webhook_events.c.received_at)
            outbox = await self._depth(email_outbox, SENDING, email_outbox.c.created_at)
            last = await self._session.scalar(select(func.max(webhook_events.c.received_at)))
        return QueueSnapshot(inbox, outbox, last)

    async def _depth(self, table: Table, claimed: str, entered: Any) -> QueueDepth:
        pending = table.c.status.in_(["pending", claimed])
        row = (
            await self._session.execute(
                select(
                    func.count().filter(pending),
                    func.min(case((pending, entered))),
                    func.count().filter(table.c.status == _FAILED),
                )
            )
        ).one()
        return QueueDepth(pending=int(row[0]), oldest_pending_at=row[1], parked=int(row[2]))
