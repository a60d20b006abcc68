"""Use case: is this process ready to serve (``GET /readyz``)?"""

from __future__ import annotations

from dataclasses import dataclass

from application.operations.errors import SchemaNotCurrent
from application.ports.queue_monitor import QueueMonitor, QueueSnapshot
from application.ports.schema_version import SchemaRevision, SchemaVersion


@dataclass(frozen=True, slots=True)
class Readiness:
    schema: SchemaRevision
    queues: QueueSnapshot


class CheckReadiness:
    """Ready when the database answers and its schema is usable by this code.

    Raises ``PersistenceUnavailable`` (database unreachable) or ``SchemaNotCurrent``
    (behind the code, or never migrated). The backlog is reported, never a reason to be
    unready: a busy inbox does not stop this process from serving requests.
    """

    def __init__(self, schema: SchemaVersion, queues: QueueMonitor) -> None:
        self._schema, self._queues = schema, queues

    async def execute(self) -> Readiness:
        revision = await self._schema.read()
        if not revision.usable:
            raise SchemaNotCurrent(revision)
        return Readiness(revision, await self._queues.snapshot())
