"""Use case: the inbox and outbox backlogs now (the metrics endpoint's gauges)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from application.ports.clock import Clock
from application.ports.queue_monitor import QueueMonitor, QueueSnapshot


@dataclass(frozen=True, slots=True)
class Backlog:
    queues: QueueSnapshot
    read_at: datetime


class ReadBacklog:
    """Reads both queues; raises ``PersistenceUnavailable`` when the database cannot."""

    def __init__(self, queues: QueueMonitor, clock: Clock) -> None:
        self._queues, self._clock = queues, clock

    async def execute(self) -> Backlog:
        return Backlog(await self._queues.snapshot(), self._clock.now())
