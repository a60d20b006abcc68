"""``GET /metrics`` (Prometheus text) and the ASGI wrapper timing every request by route."""

from __future__ import annotations

import time

import structlog
from dishka.integrations.litestar import FromDishka, inject
from litestar import Response, get
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from adapters.metrics.exposition import CONTENT_TYPE, render_metrics
from adapters.metrics.recorders import record_http_request
from application.errors import PersistenceUnavailable
from application.operations.read_backlog import ReadBacklog
from application.ports.clock import Clock

log = structlog.get_logger("entrypoints.http")
UNMATCHED_ROUTE = "unmatched"  # a 404 for a path no route has: never the raw path


@get("/metrics", summary="Prometheus metrics", include_in_schema=False)
@inject
async def metrics(
    read_backlog: FromDishka[ReadBacklog], clock: FromDishka[Clock]
) -> Response[bytes]:
    try:
        backlog = await read_backlog.execute()
    except PersistenceUnavailable as error:
        log.warning("metrics.backlog.unavailable", error=error.message)
        # still answer: billing_portal_database_up 0 is worth scraping
        return Response(render_metrics(None, clock.now()), media_type=CONTENT_TYPE)
    return Response(render_metrics(backlog.queues, backlog.read_at), media_type=CONTENT_TYPE)


def metrics_middleware(app: ASGIApp) -> ASGIApp:
    """Records ``billing_portal_http_request_duration_seconds`` for every HTTP request,
    labelled with the route template Litestar matched (``/api/billing/portal-sessions``)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_noting_status)
        finally:
            route = scope.get("path_template") or UNMATCHED_ROUTE  # set by Litestar's router
            method = str(scope.get("method", "GET"))
            record_http_request(method, route, status, time.perf_counter() - started)

    return middleware
