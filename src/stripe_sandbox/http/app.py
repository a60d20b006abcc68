"""The sandbox's ASGI app: Stripe's v1 API, hosted pages and ``/_sandbox`` control endpoints.

Control endpoints (no API key; bind the server to loopback):
``POST /_sandbox/advance`` (``days`` and/or ``seconds``), ``POST /_sandbox/reset``,
``POST /_sandbox/seed``, ``GET /_sandbox/clock``.
"""

from __future__ import annotations

import json
from typing import Any

import anyio.to_thread
from litestar import Litestar, Request, Response, get, post, route
from litestar.params import FromPath

from ..delivery import WebhookDispatcher
from ..errors import InvalidRequest, SandboxError
from ..seed import seed_demo
from ..settings import SandboxSettings
from ..store import SandboxStore
from .api import ApiRequest, StripeApi
from .forms import parse_form
from .invoice_routes import invoice_handlers
from .portal_routes import portal_handlers


def build_store(settings: SandboxSettings) -> SandboxStore:
    """The store for ``settings``, with the configured webhook endpoints in place."""
    store = SandboxStore(settings.state_path, settings.public_base_url)
    store.sync_configured_endpoints([(e.url, e.secret) for e in settings.webhook_endpoints])
    return store


def create_sandbox_app(settings: SandboxSettings, store: SandboxStore | None = None) -> Litestar:
    """The ASGI app; webhook delivery runs in a thread from start-up to shutdown."""
    store = store or build_store(settings)
    api = StripeApi(store, settings)
    dispatcher = WebhookDispatcher(store, settings.delivery)
    business = settings.business_name
    configured = [(e.url, e.secret) for e in settings.webhook_endpoints]

    @route("/v1/{path:path}", http_method=["GET", "POST", "DELETE"], include_in_schema=False)
    async def stripe_api(request: Request[Any, Any, Any], path: FromPath[str]) -> Response[Any]:
        api_request = ApiRequest(
            method=request.method,
            path="/v1" + path,
            query=request.scope.get("query_string", b"").decode("latin-1"),
            body=(await request.body()).decode("utf-8"),
            authorization=request.headers.get("authorization"),
            idempotency_key=request.headers.get("idempotency-key"),
            stripe_version=request.headers.get("stripe-version"),
        )
        result = await anyio.to_thread.run_sync(api.handle, api_request)
        return Response(result.body, status_code=result.status, headers=result.headers)

    @post("/_sandbox/advance", status_code=200, include_in_schema=False)
    async def advance(request: Request[Any, Any, Any]) -> Response[Any]:
        params = await _control_params(request)
        try:
            days = float(params.get("days") or 0)
            seconds = int(params.get("seconds") or 0)
            if days < 0 or seconds < 0:
                raise ValueError
        except (TypeError, ValueError):
            error = InvalidRequest("days and seconds must be non-negative numbers.", param="days")
            return Response(error.to_body(), status_code=400)
        now = await anyio.to_thread.run_sync(lambda: store.advance(days=days, seconds=seconds))
        return Response({"now": now})

    @post("/_sandbox/reset", status_code=200, include_in_schema=False)
    async def reset() -> dict[str, Any]:
        await anyio.to_thread.run_sync(lambda: store.reset(configured))
        return {"reset": True, "now": store.now()}

    @post("/_sandbox/seed", status_code=200, include_in_schema=False)
    async def seed() -> dict[str, Any]:
        records = await anyio.to_thread.run_sync(seed_demo, store)
        return {"records": [record.to_json() for record in records]}

    @get("/_sandbox/clock", include_in_schema=False)
    async def clock() -> dict[str, Any]:
        return {"now": store.now(), "offset": store.snapshot().clock_offset}

    def handle_error(_: Request[Any, Any, Any], error: SandboxError) -> Response[Any]:
        return Response(error.to_body(), status_code=error.status)

    app = Litestar(
        route_handlers=[
            stripe_api,
            *invoice_handlers(store, business),
            *portal_handlers(store, business),
            advance,
            reset,
            seed,
            clock,
        ],
        on_startup=[lambda: dispatcher.start()],
        on_shutdown=[lambda: dispatcher.stop()],
        # The process hosting the sandbox (tests, the demo) owns logging configuration.
        logging_config=None,
        exception_handlers={SandboxError: handle_error},
        openapi_config=None,
    )
    app.state.sandbox_store = store
    app.state.webhook_dispatcher = dispatcher
    return app


async def _control_params(request: Request[Any, Any, Any]) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query_params)
    body = (await request.body()).decode("utf-8").strip()
    if body.startswith("{"):
        params.update(json.loads(body))
    elif body:
        params.update(parse_form(body))
    return params
