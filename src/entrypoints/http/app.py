"""``create_app``: the Litestar app, wired by dishka, errors as RFC 9457 problem details."""

from __future__ import annotations

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
from entrypoints.http.health import healthz, readyz
from entrypoints.http.portal import create_portal_session
from entrypoints.http.problems import problem_details_config
from entrypoints.http.request_context import request_context_middleware
from entrypoints.ioc import create_container
from entrypoints.logging import configure_logging
from entrypoints.settings import Settings, load_settings

log = structlog.get_logger("entrypoints.http")


def _openapi() -> OpenAPIConfig:
    bearer = SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
    return OpenAPIConfig(
        title="billing-portal",
        version="0.1.0",
        path="/schema",
        render_plugins=[SwaggerRenderPlugin()],
        components=Components(security_schemes={"bearer": bearer}),
    )


def _startup(settings: Settings, container: AsyncContainer) -> None:
    log.info(
        "app.started",
        environment=settings.environment,
        database=settings.safe_database_url,
        stripe_api_base=settings.stripe.api_base or "https://api.stripe.com",
        stripe_sandbox=settings.stripe_sandbox,
    )
    if settings.jwt.uses_dev_secret:
        log.warning(
            "auth.jwt.dev_secret",
            message="PORTAL_JWT_SECRET is unset: using the fixed development secret",
        )


def create_app(settings: Settings | None = None, *override_providers: Provider) -> Litestar:
    """The HTTP app; ``override_providers`` replace a provider family (tests)."""
    settings = settings or load_settings()
    configure_logging(settings.log_format, settings.log_level)
    container = create_container(settings, *override_providers)
    api = Router(
        "/api/billing",
        route_handlers=[create_portal_session],
        middleware=[
            DefineMiddleware(JwtAuthenticationMiddleware, verifier=JwtVerifier(settings.jwt))
        ],
        tags=["billing portal"],
    )
    app = Litestar(
        route_handlers=[api, healthz, readyz],
        openapi_config=_openapi(),
        plugins=[ProblemDetailsPlugin(problem_details_config())],
        on_startup=[lambda: _startup(settings, container)],
        on_shutdown=[container.close],
        logging_config=None,
        debug=False,
    )
    setup_dishka(container, app)
    app.asgi_handler = request_context_middleware(app.asgi_handler)
    return app
