"""Liveness (no I/O) and readiness (the database answers, its schema fits this code)."""

from __future__ import annotations

from dishka.integrations.litestar import FromDishka, inject
from litestar import get
from litestar.openapi.datastructures import ResponseSpec

from application.operations.check_readiness import CheckReadiness
from application.ports.clock import Clock
from application.ports.queue_monitor import QueueDepth
from entrypoints.http.schemas import (
    Health,
    QueueReport,
    ReadinessReport,
    SchemaReport,
)


@get("/healthz", summary="The process is alive", sync_to_thread=False)
def healthz() -> Health:
    return Health("ok")


@get(
    "/readyz",
    summary="Ready: the database answers and its schema is this code's (503 problem otherwise)",
    description="Also reports the inbox and outbox backlogs; a backlog never makes it unready.",
    responses={
        503: ResponseSpec(
            None,
            description="Database unreachable, or its schema is behind the code",
            media_type="application/problem+json",
        )
    },
)
@inject
async def readyz(check: FromDishka[CheckReadiness], clock: FromDishka[Clock]) -> ReadinessReport:
    # A PersistenceUnavailable goes through the one problem map: a 503 with a generic
    # detail, the driver's message only in the log (http.database.unavailable).
    readiness = await check.execute()
    now = clock.now()
    queues = readiness.queues

    def report(depth: QueueDepth) -> QueueReport:
        oldest = depth.oldest_pending_at
        age = None if oldest is None else round(max(0.0, (now - oldest).total_seconds()), 3)
        return QueueReport(depth.pending, age, depth.parked)

    last = queues.last_event_received_at
    schema = readiness.schema
    return ReadinessReport(
        status="ready",
        database="ok",
        schema=SchemaReport(schema.current, schema.expected, schema.state.value),
        inbox=report(queues.inbox),
        outbox=report(queues.outbox),
        last_webhook_age_seconds=None if last is None else round((now - last).total_seconds(), 3),
    )
