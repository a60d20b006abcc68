from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class QueueDepth:
    """One queue's backlog: rows still to do (retries included), the oldest of them, and
    rows parked as failed after their last attempt."""

    pending: int
    oldest_pending_at: datetime | None  # when the oldest pending row entered the queue
    parked: int


@dataclass(frozen=True, slots=True)
class QueueSnapshot:
    """Both queues at one moment, and when the last webhook event was received."""

    inbox: QueueDepth
    outbox: QueueDepth
    last_event_received_at: datetime | None


class QueueMonitor(Protocol):
    """Reads the inbox and outbox backlogs (a few aggregate queries, no locks).

    Raises ``PersistenceUnavailable`` when the database cannot be read.
    """

    async def snapshot(self) -> QueueSnapshot: ...
