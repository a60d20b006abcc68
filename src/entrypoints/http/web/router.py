"""``web_router``: the billing page, its session API and (sandbox) demo sign-in, in one Router."""

from __future__ import annotations

from litestar import Router
from litestar.di import Provide
from litestar.types import ControllerRouterHandler

from entrypoints.http.web.authentication import BearerVerifier
from entrypoints.http.web.demo_users import DemoUserSource
from entrypoints.http.web.pages import (
    BILLING_PATHS,
    COMPLETE_PAYMENT,
    PRICING,
    REACTIVATE,
    assets_router,
    billing_page,
    placeholder_page,
)
from entrypoints.http.web.session import CookieSessions
from entrypoints.http.web.session_routes import DEMO_HANDLERS, SESSION_HANDLERS, WebContext


def web_router(
    sessions: CookieSessions,
    verifier: BearerVerifier,
    *,
    sandbox: bool,
    support_email: str | None = None,
    demo_users: DemoUserSource | None = None,
    pricing_path: str = "/pricing",
    reactivation_path: str = "/reactivate",
    complete_payment_path: str = "/billing/complete-payment",
) -> Router:
    """Everything the page needs. In sandbox mode (never in production) it adds the demo
    sign-in (``demo_users``) and placeholder pages for the policy's redirect targets."""
    context = WebContext(sessions, verifier, sandbox, support_email, demo_users)
    handlers: list[ControllerRouterHandler] = [
        *SESSION_HANDLERS,
        billing_page(sessions.app_base_url),
        assets_router(),
    ]
    if sandbox:
        handlers.extend(DEMO_HANDLERS)
        placeholders = {
            pricing_path: PRICING,
            reactivation_path: REACTIVATE,
            complete_payment_path: COMPLETE_PAYMENT,
        }
        handlers.extend(
            placeholder_page(path, placeholder)
            for path, placeholder in placeholders.items()
            if path not in BILLING_PATHS
        )

    def provide_context() -> WebContext:
        return context

    return Router(
        "/",
        route_handlers=handlers,
        dependencies={"web": Provide(provide_context, use_cache=True, sync_to_thread=False)},
    )
