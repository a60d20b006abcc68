"""The portal's pages (GET): rendering a screen for a session, or the page saying why not."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ..money import format_amount
from ..store import SandboxStore
from . import screens, views
from .context import PortalRefusal, SessionGone, load

_ENV = Environment(
    loader=PackageLoader("stripe_sandbox", "pages"), autoescape=select_autoescape(["html"])
)
_ENV.globals.update(money=format_amount, day=views.day)


@dataclass(frozen=True)
class Reply:
    """A page (``html`` with ``status``) or a redirect (``location``, 303)."""

    status: int = 200
    html: str = ""
    location: str | None = None


class PortalPages:
    """Renders the screens of one session; errors become their own pages, never a crash."""

    def __init__(self, store: SandboxStore, business: str) -> None:
        self.store = store
        self.business = business

    def render(self, secret: str, build: screens.Builder, status: int = 200, **extra: Any) -> Reply:
        """``build``'s screen for the session behind ``secret``; ``extra`` goes to the template
        (``error`` and the submitted ``form`` when an action was refused)."""
        try:
            with self.store.transaction() as ledger:
                portal = load(ledger, secret, self.business)
                template, context = build(self.store, ledger, portal)
        except SessionGone as gone:
            return self.gone(gone)
        except PortalRefusal as refusal:
            return self.notice(secret, refusal)
        values = {"form": {}, "error": None, **context, **extra}
        if values["error"] and status == 200:
            status = 400
        page = _ENV.get_template(template).render(portal=portal, business=self.business, **values)
        return Reply(status, page)

    def gone(self, gone: SessionGone) -> Reply:
        page = _ENV.get_template("portal_gone.html").render(
            business=self.business, return_url=gone.return_url
        )
        return Reply(gone.status, page)

    def error(self, secret: str | None) -> Reply:
        """The page for an unexpected failure (500): plain, with the way back if known."""
        page = _ENV.get_template("portal_error.html").render(
            business=self.business, return_url=self._return_url(secret)
        )
        return Reply(500, page)

    def _return_url(self, secret: str | None) -> str | None:
        if not secret:
            return None
        try:
            state = self.store.snapshot()
            for session_id, meta in state.sessions.items():
                if secrets.compare_digest(str(meta["secret"]), secret):
                    session = state.table("billing_portal.session").get(session_id) or {}
                    return session.get("return_url")
        except Exception:  # the error page must not fail in turn
            return None
        return None

    def notice(self, secret: str, refusal: PortalRefusal) -> Reply:
        page = _ENV.get_template("portal_notice.html").render(
            business=self.business, message=refusal.message, home=f"/p/session/{secret}"
        )
        return Reply(refusal.status, page)
