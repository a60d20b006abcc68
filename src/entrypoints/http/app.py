"""``create_app``: the Litestar app, wired by dishka, errors as RFC 9457 problem details."""

from __future__ import annotations

import asyncio

import structlog
from dishka import AsyncContainer, Provider
from dishka.integrations.litestar import setup_dishka
from litestar import Litestar, Router
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.problem_details import ProblemDetailsPlugin

from entrypoints.http.auth import JwtAuthenticationMiddleware, JwtVerifier
from entrypoints.http.billing import billing_invoices, billing_summary
from entrypoints.http.fast_routes import BillingFastPath
from entrypoints.http.health import healthz, readyz
from entrypoints.http.json_request import JsonSafeRequest
from entrypoints.http.metrics import metrics, metrics_middleware
from entrypoints.http.page_session_store import ContainerPageSessions
from entrypoints.http.portal import create_portal_session
from entrypoints.http.problems import problem_details_config
from entrypoints.http.request_context import request_context_middleware
from entrypoints.http.server_api import server_router
from entrypoints.http.server_auth import SECURITY_SCHEME as SERVER_SECURITY_SCHEME
from entrypoints.http.web import CookieSessions, DemoUserSource, web_router
from entrypoints.http.webhooks import WORKER_WAKEUP, WebhookRoute, receive_stripe_webhook
from entrypoints.ioc import create_container
from entrypoints.logging import configure_logging
from entrypoints.production_guards import opt_in_warnings
from entrypoints.settings import Settings, load_settings
from entrypoints.worker import SyncWorker

log = structlog.get_logger("entrypoints.http")
# Every JSON body this API reads is a few hundred bytes; a larger one is refused with 413
# before it is read, instead of Litestar's default 10 MB. The webhook has its own cap.
JSON_BODY_MAX_BYTES = 64 * 1024


def _openapi() -> OpenAPIConfig:
    bearer = SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
    server_key = SecurityScheme(
        type="http",
        scheme="bearer",
        description="A server API key (bpk_...) from `billing-portal api-keys create`",
    )
    return OpenAPIConfig(
        title="billing-portal",
        version="0.1.0",
        path="/schema",
        render_plugins=[SwaggerRenderPlugin()],
        components=Components(
            security_schemes={"bearer": bearer, SERVER_SECURITY_SCHEME: server_key}
        ),
    )


def _startup(settings: Settings, container: AsyncContainer) -> None:
    log.info(
        "app.started",
        environment=settings.environment,
        database=settings.safe_database_url,
        stripe_api_base=settings.stripe.api_base or "https://api.stripe.com",
        stripe_sandbox=settings.stripe_sandbox,
    )
    for line in opt_in_warnings(settings.production_opt_ins):
        log.warning("settings.production_opt_in", message=line)
    if settings.jwt.uses_dev_secret:
        log.warning(
            "auth.jwt.dev_secret",
            message="PORTAL_JWT_SECRET is unset: using the fixed development secret",
        )
    if settings.web.uses_random_secret:
        log.warning(
            "web.session.random_secret",
            message="PORTAL_SESSION_SECRET is unset: billing-page sessions end with this process",
        )
    if not settings.webhooks.secrets:
        log.warning(
            "webhooks.no_secret",
            message="STRIPE_WEBHOOK_SECRETS is unset: every webhook is refused with 400",
        )


class _InProcessWorker:
    """The sync worker as an asyncio task of the app (``make run``): started after the app
    starts, stopped (its current batch finished) before the container closes."""

    def __init__(self, app: Litestar, worker: SyncWorker) -> None:
        self._app, self._worker = app, worker
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        wakeup = asyncio.Event()
        self._app.state[WORKER_WAKEUP] = wakeup
        self._task = asyncio.create_task(self._worker.run(self._stop, wakeup))

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task


def _web(
    settings: Settings,
    sessions: CookieSessions,
    verifier: JwtVerifier,
    demo_users: DemoUserSource | None,
) -> Router:
    policy = settings.portal.policy
    return web_router(
        sessions,
        verifier,
        sandbox=settings.stripe_sandbox,
        support_email=settings.mail.support_address,
        demo_users=demo_users,
        pricing_path=policy.pricing_path,
        reactivation_path=policy.reactivation_path,
        complete_payment_path=policy.complete_payment_path,
    )


def create_app(
    settings: Settings | None = None,
    *override_providers: Provider,
    with_worker: bool = False,
    demo_users: DemoUserSource | None = None,
    cache_loggers: bool = False,
) -> Litestar:
    """The HTTP app; ``override_providers`` replace a provider family (tests).

    ``with_worker`` runs the sync worker inside the app's event loop (the demo);
    ``demo_users`` lists the sandbox's seeded users on the billing page's demo sign-in.
    """
    settings = settings or load_settings()
    # cache_loggers: a server process configures logging once (serve, serve_app).
    configure_logging(settings.log_format, settings.log_level, cache_loggers=cache_loggers)
    container = create_container(settings, *override_providers)
    verifier = JwtVerifier(settings.jwt)
    sessions = CookieSessions(
        settings.web.session_secret,
        store=ContainerPageSessions(container),
        app_base_url=settings.portal.return_urls.app_base_url,
        ttl_seconds=settings.web.session_ttl_seconds,
    )
    api = Router(
        "/api/billing",
        route_handlers=[create_portal_session, billing_summary, billing_invoices],
        middleware=[
            DefineMiddleware(JwtAuthenticationMiddleware, verifier=verifier, sessions=sessions)
        ],
        tags=["billing portal"],
    )
    # No JWT here: Stripe signs its deliveries. The cap applies before the body is read.
    webhooks = Router(
        "/api/webhooks",
        route_handlers=[receive_stripe_webhook],
        request_max_body_size=settings.webhooks.max_bytes,
    )
    app = Litestar(
        route_handlers=[
            api,
            webhooks,
            server_router(),
            _web(settings, sessions, verifier, demo_users),
            healthz,
            readyz,
            metrics,
        ],
        openapi_config=_openapi(),
        plugins=[ProblemDetailsPlugin(problem_details_config())],
        request_class=JsonSafeRequest,
        request_max_body_size=JSON_BODY_MAX_BYTES,
        on_startup=[lambda: _startup(settings, container)],
        logging_config=None,
        debug=False,
    )
    if with_worker:
        worker = _InProcessWorker(app, SyncWorker(container, settings.worker))
        app.on_startup.append(worker.start)
        app.on_shutdown.append(worker.stop)
    app.on_shutdown.append(container.close)
    setup_dishka(container, app)
    # The billing page's two hot routes and the webhook have fast paths in front of the
    # request-id and metrics wrappers, dishka's request container and Litestar's router:
    # each does the wrappers' work in line for what it serves (entrypoints/http/
    # fast_routes.py, webhooks.py); what they pass on goes through the wrappers.
    wrapped = request_context_middleware(metrics_middleware(app.asgi_handler))
    fast_path = BillingFastPath(wrapped, container, verifier, max_bytes=JSON_BODY_MAX_BYTES)
    webhook_route = WebhookRoute(
        fast_path, container, app.state, max_bytes=settings.webhooks.max_bytes
    )
    app.asgi_handler = webhook_route
    app.on_startup.append(webhook_route.resolve)
    app.on_startup.append(fast_path.resolve)
    return app


def serve_app() -> Litestar:
    """The app of one ``billing-portal serve --workers N`` process, from the environment."""
    return create_app(cache_loggers=True)
