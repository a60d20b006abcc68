"""Operations: readiness, backlog and metrics; metered decorators of other families' ports."""

from __future__ import annotations

from dishka import Provider, Scope, decorate, provide
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.metrics.metered_audit import MeteredPortalAccessAudit
from adapters.persistence.queue_monitor import SqlaQueueMonitor
from adapters.persistence.schema_version import AlembicSchemaVersion
from application.operations.check_readiness import CheckReadiness
from application.operations.read_backlog import ReadBacklog
from application.ports.access_audit import PortalAccessAudit
from application.ports.queue_monitor import QueueMonitor
from application.ports.schema_version import SchemaVersion


class OperationsProvider(Provider):
    scope = Scope.REQUEST

    queues = provide(SqlaQueueMonitor, provides=QueueMonitor)
    check_readiness = provide(CheckReadiness)
    read_backlog = provide(ReadBacklog)

    @provide(scope=Scope.APP)
    def schema(self, engine: AsyncEngine) -> SchemaVersion:
        return AlembicSchemaVersion(engine)

    @decorate
    def metered_audit(self, audit: PortalAccessAudit) -> PortalAccessAudit:
        return MeteredPortalAccessAudit(audit)
