"""Use case: one screen on the service's state (``billing-portal status``)."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from application.configs.plan_configurations import PlanConfigurations
from application.errors import ApplicationError
from application.ports.clock import Clock
from application.ports.queue_monitor import QueueMonitor, QueueSnapshot
from application.ports.schema_version import SchemaRevision, SchemaVersion
from domain.catalog import Plan

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Section(Generic[T]):
    """A part of the status that was read (``value``) or could not be (``error``)."""

    value: T | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class StatusReport:
    mode: str  # sandbox, test or live
    now: datetime
    schema: Section[SchemaRevision]
    configurations: Section[Plan]  # what `configs apply` would change (nothing: applied)
    queues: Section[QueueSnapshot]

    @property
    def healthy(self) -> bool:
        """Every part read, the schema usable, the configurations applied, nothing parked."""
        schema, plan, queues = self.schema.value, self.configurations.value, self.queues.value
        return (
            schema is not None
            and schema.usable
            and plan is not None
            and plan.write_count == 0
            and queues is not None
            and queues.inbox.parked == 0
            and queues.outbox.parked == 0
        )


class ShowStatus:
    """Reads each part on its own: a part that fails (the database, the provider) is
    reported with its error and the others are still shown."""

    def __init__(
        self,
        schema: SchemaVersion,
        queues: QueueMonitor,
        plan: PlanConfigurations,
        clock: Clock,
        *,
        mode: str,
    ) -> None:
        self._schema, self._queues, self._plan = schema, queues, plan
        self._clock, self._mode = clock, mode

    async def execute(self) -> StatusReport:
        return StatusReport(
            mode=self._mode,
            now=self._clock.now(),
            schema=await _section(self._schema.read()),
            configurations=await _section(self._plan.execute()),
            queues=await _section(self._queues.snapshot()),
        )


async def _section(read: Awaitable[T]) -> Section[T]:
    try:
        return Section(value=await read)
    except ApplicationError as error:
        return Section(error=error.message)
