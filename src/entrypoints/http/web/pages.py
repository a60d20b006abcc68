"""The billing page (``/`` and ``/billing``), its assets and the demo's placeholder pages.

The billing page is static: it calls only the public HTTP API from ``assets/billing.js``. The
placeholders share one template (``placeholder.html``), filled with escaped text at start-up.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from html import escape
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import SplitResult, urlsplit

from litestar import Request, Response, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.enums import MediaType
from litestar.handlers import HTTPRouteHandler
from litestar.static_files import create_static_files_router

from entrypoints.http.web.session import is_loopback_host

STATIC_DIR = Path(__file__).parent / "static"
BILLING_PATHS = ["/", "/billing"]
PAGE_HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'self'"
    ),
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _port(parts: SplitResult | Any, scheme: str) -> int | None:
    return parts.port or _DEFAULT_PORTS.get(scheme)


def canonical_location(request: Request[Any, Any, Any], app_base_url: str) -> str | None:
    """Where a loopback alias should go: a session cookie set on ``127.0.0.1`` is not sent
    to ``localhost`` (where the portal returns the user), so the page is always used on the
    app base URL's host when both are the same local server."""
    base, url = urlsplit(app_base_url), request.url
    if not (is_loopback_host(base.hostname) and is_loopback_host(url.hostname)):
        return None
    if url.hostname == base.hostname or _port(url, url.scheme) != _port(base, base.scheme):
        return None
    query = f"?{url.query}" if url.query else ""
    return f"{base.scheme}://{base.netloc}{url.path}{query}"


def _html(name: str) -> bytes:
    return (STATIC_DIR / name).read_bytes()


def billing_page(app_base_url: str) -> HTTPRouteHandler:
    html = _html("index.html")

    @get(BILLING_PATHS, include_in_schema=False, name="web-billing-page", sync_to_thread=False)
    def page(request: Request[Any, Any, Any]) -> Response[bytes]:
        location = canonical_location(request, app_base_url)
        if location is not None:
            return Response(b"", status_code=307, headers={"Location": location})
        return Response(html, media_type=MediaType.HTML, headers=PAGE_HEADERS)

    return page


@dataclass(frozen=True, slots=True)
class Placeholder:
    """What the host app's page would be: ``name`` makes its ``placeholder-<name>`` test id."""

    name: str
    title: str
    lead: str
    explanation: str


PRICING = Placeholder(
    "pricing",
    "Choose a plan",
    "You don't have a subscription yet.",
    "This page belongs to the host app (PORTAL_PRICING_PATH). There it would list its plans"
    " and start a Stripe Checkout session for the one the customer picks; once subscribed,"
    " the customer manages the plan in the billing portal.",
)
REACTIVATE = Placeholder(
    "reactivate",
    "Reactivate your subscription",
    "Your subscription has ended.",
    "This page belongs to the host app (PORTAL_REACTIVATION_PATH). There it would offer the"
    " customer's previous plan (or the current ones) and start a new subscription with"
    " Stripe Checkout.",
)
COMPLETE_PAYMENT = Placeholder(
    "complete-payment",
    "Complete your payment",
    "Your subscription is waiting for its first payment.",
    "This page belongs to the host app (PORTAL_COMPLETE_PAYMENT_PATH, reached with"
    " ?subscription=sub_...). There it would check that the subscription belongs to the"
    " signed-in user, then show the open invoice and collect the payment (for example with"
    " the invoice's hosted payment page or Stripe Elements).",
)


def render_placeholder(placeholder: Placeholder) -> bytes:
    template = Template((STATIC_DIR / "placeholder.html").read_text(encoding="utf-8"))
    fields = {name: escape(value) for name, value in asdict(placeholder).items()}
    return template.substitute(fields).encode()


def placeholder_page(path: str, placeholder: Placeholder) -> HTTPRouteHandler:
    """A demo stand-in for a page the host app owns (pricing, reactivation, payment)."""
    html = render_placeholder(placeholder)

    @get(
        path,
        include_in_schema=False,
        name=f"web-placeholder-{placeholder.name}",
        sync_to_thread=False,
    )
    def page() -> Response[bytes]:
        return Response(html, media_type=MediaType.HTML, headers=PAGE_HEADERS)

    return page


def assets_router() -> Router:
    return create_static_files_router(
        path="/assets",
        directories=[STATIC_DIR / "assets"],
        name="web-assets",
        cache_control=CacheControlHeader(no_cache=True),
        include_in_schema=False,
    )
