"""The hosted portal's routes under ``/p/session/{secret}``: GET pages, POST actions that
redirect (Post/Redirect/Get), and the stylesheet. A refused action re-renders its form with
the reason (400, or 402 for a declined card); a forged CSRF token gets a 403 page; an
unexpected failure gets a plain portal page (500) with the session's return link, never
Litestar's JSON error (the failed action's transaction is rolled back)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl

import anyio.to_thread
from litestar import Request, Response
from litestar import get as litestar_get
from litestar import post as litestar_post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, FromQuery
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from ..errors import SandboxError
from ..portal import actions, screens
from ..portal.context import PortalRefusal, SessionGone
from ..portal.pages import PortalPages, Reply
from ..store import SandboxStore

BASE = "/p/session/{secret:str}"
SUB = BASE + "/subscriptions/{sub_id:str}"
CARD = BASE + "/payment-methods/{pm_id:str}"
TAX_ID = BASE + "/billing/tax-ids/{tax_id:str}"
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
Fallback = Callable[[str, int, dict[str, Any]], Reply]
Decorator = Callable[[Callable[..., Any]], HTTPRouteHandler]
LOG = logging.getLogger(__name__)


def respond(reply: Reply) -> Response[Any]:
    if reply.location is not None:
        return Response(b"", status_code=303, headers={**HEADERS, "Location": reply.location})
    return Response(reply.html, status_code=reply.status, media_type="text/html", headers=HEADERS)


def portal_handlers(store: SandboxStore, business: str) -> list[HTTPRouteHandler]:
    """The route handlers of the hosted portal, bound to ``store``."""
    pages = PortalPages(store, business)

    def server_error(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
        LOG.error("portal page failed: %s %s", request.method, request.url.path, exc_info=error)
        return respond(pages.error(request.path_params.get("secret")))

    on_error: dict[Any, Any] = {HTTP_500_INTERNAL_SERVER_ERROR: server_error}

    def get(path: str) -> Decorator:
        return litestar_get(path, include_in_schema=False, exception_handlers=on_error)

    def post(path: str) -> Decorator:
        return litestar_post(path, include_in_schema=False, exception_handlers=on_error)

    async def show(render: Callable[[], Reply]) -> Response[Any]:
        return respond(await anyio.to_thread.run_sync(render))

    async def act(
        secret: str, request: Request[Any, Any, Any], action: actions.Action, fallback: Fallback
    ) -> Response[Any]:
        form = dict(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))

        def run() -> Reply:
            try:
                return Reply(location=actions.perform(store, secret, business, form, action))
            except SessionGone as gone:
                return pages.gone(gone)
            except PortalRefusal as refusal:
                if refusal.status in (403, 404):
                    return pages.notice(secret, refusal)
                return fallback(refusal.message, refusal.status, form)
            except SandboxError as error:
                return fallback(error.message, error.status, form)

        return await show(run)

    def redo(secret: str, builder: screens.Builder) -> Fallback:
        """Show ``builder``'s screen again, with the refusal and what was submitted."""

        def render(message: str, status: int, form: dict[str, Any]) -> Reply:
            return pages.render(secret, builder, status, error=message, form=form)

        return render

    @get(BASE)
    async def home(secret: FromPath[str], message: FromQuery[str | None] = None) -> Response[Any]:
        return await show(lambda: pages.render(secret, screens.home(message)))

    @get(BASE + "/done")
    async def done(secret: FromPath[str]) -> Response[Any]:
        return await show(lambda: pages.render(secret, screens.done))

    @get(SUB + "/update")
    async def update_page(secret: FromPath[str], sub_id: FromPath[str]) -> Response[Any]:
        return await show(lambda: pages.render(secret, screens.update(sub_id)))

    @get(SUB + "/update/confirm")
    async def confirm_page(
        secret: FromPath[str],
        sub_id: FromPath[str],
        price: FromQuery[str | None] = None,
        quantity: FromQuery[str | None] = None,
    ) -> Response[Any]:
        return await show(lambda: pages.render(secret, screens.confirm(sub_id, price, quantity)))

    @post(SUB + "/update")
    async def update(
        secret: FromPath[str], sub_id: FromPath[str], request: Request[Any, Any, Any]
    ) -> Response[Any]:
        fallback = redo(secret, screens.update(sub_id))
        return await act(secret, request, actions.change_plan(sub_id), fallback)

    @get(SUB + "/cancel")
    async def cancel_page(secret: FromPath[str], sub_id: FromPath[str]) -> Response[Any]:
        return await show(lambda: pages.render(secret, screens.cancel(sub_id)))

    @post(SUB + "/cancel")
    async def cancel(
        secret: FromPath[str], sub_id: FromPath[str], request: Request[Any, Any, Any]
    ) -> Response[Any]:
        fallback = redo(secret, screens.cancel(sub_id))
        return await act(secret, request, actions.cancel(sub_id), fallback)

    @post(SUB + "/renew")
    async def renew(
        secret: FromPath[str], sub_id: FromPath[str], request: Request[Any, Any, Any]
    ) -> Response[Any]:
        fallback = redo(secret, screens.home(None))
        return await act(secret, request, actions.renew(sub_id), fallback)

    @get(BASE + "/payment-methods/new")
    async def card_page(secret: FromPath[str]) -> Response[Any]:
        return await show(lambda: pages.render(secret, screens.add_card))

    @post(BASE + "/payment-methods")
    async def add_card(secret: FromPath[str], request: Request[Any, Any, Any]) -> Response[Any]:
        fallback = redo(secret, screens.add_card)
        return await act(secret, request, actions.add_card, fallback)

    @post(CARD + "/default")
    async def make_default(
        secret: FromPath[str], pm_id: FromPath[str], request: Request[Any, Any, Any]
    ) -> Response[Any]:
        fallback = redo(secret, screens.home(None))
        return await act(secret, request, actions.make_default(pm_id), fallback)

    @post(CARD + "/remove")
    async def remove_card(
        secret: FromPath[str], pm_id: FromPath[str], request: Request[Any, Any, Any]
    ) -> Response[Any]:
        fallback = redo(secret, screens.home(None))
        return await act(secret, request, actions.remove_card(pm_id), fallback)

    @get(BASE + "/billing")
    async def billing_page(secret: FromPath[str]) -> Response[Any]:
        return await show(lambda: pages.render(secret, screens.billing))

    @post(BASE + "/billing")
    async def billing(secret: FromPath[str], request: Request[Any, Any, Any]) -> Response[Any]:
        fallback = redo(secret, screens.billing)
        return await act(secret, request, actions.update_billing, fallback)

    @post(BASE + "/billing/tax-ids")
    async def add_tax_id(secret: FromPath[str], request: Request[Any, Any, Any]) -> Response[Any]:
        fallback = redo(secret, screens.billing)
        return await act(secret, request, actions.add_tax_id, fallback)

    @post(TAX_ID + "/remove")
    async def remove_tax_id(
        secret: FromPath[str], tax_id: FromPath[str], request: Request[Any, Any, Any]
    ) -> Response[Any]:
        fallback = redo(secret, screens.billing)
        return await act(secret, request, actions.remove_tax_id(tax_id), fallback)

    @get("/p/static/portal.css")
    async def stylesheet() -> Response[str]:
        css = resources.files("stripe_sandbox").joinpath("pages/portal.css").read_text("utf-8")
        return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=300"})

    return [
        home,
        done,
        update_page,
        confirm_page,
        update,
        cancel_page,
        cancel,
        renew,
        card_page,
        add_card,
        make_default,
        remove_card,
        billing_page,
        billing,
        add_tax_id,
        remove_tax_id,
        stylesheet,
    ]
