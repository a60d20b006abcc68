"""One hosted-portal request's view of its session: configuration, flow, and permissions.

A session with a deep-link flow (``flow_data``) shows that flow only until it completes;
after that (``after_completion.type == "portal_homepage"``) it is an ordinary session.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from .. import portal_sessions
from ..ledger import Ledger
from ..params import Params

SECTIONS = (
    "subscription_update",
    "subscription_cancel",
    "payment_method_update",
    "customer_update",
    "invoice_history",
)


class PortalRefusal(Exception):
    """An action the session or its configuration does not allow, or invalid input.

    ``message`` is shown to the customer as is.
    """

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class SessionGone(Exception):
    """No usable session behind the URL: 404 (unknown) or 410 (expired)."""

    def __init__(self, status: int, return_url: str | None) -> None:
        super().__init__(f"session gone ({status})")
        self.status = status
        self.return_url = return_url


@dataclass(frozen=True)
class Portal:
    """A usable session, its configuration and the business it speaks for."""

    secret: str
    session: dict[str, Any]
    config: dict[str, Any]
    products: list[dict[str, Any]]
    flow_data: dict[str, Any]
    flow_completed: bool
    csrf: str
    business: str

    @property
    def base(self) -> str:
        """The path of the session's portal homepage."""
        return f"/p/session/{self.secret}"

    @property
    def customer_id(self) -> str:
        return str(self.session["customer"])

    @property
    def flow(self) -> dict[str, Any] | None:
        """The deep-link flow still to complete, if any."""
        flow: dict[str, Any] | None = self.session["flow"]
        return flow if flow is not None and not self.flow_completed else None

    def feature(self, name: str) -> dict[str, Any]:
        found: dict[str, Any] = self.config["features"][name]
        return found

    def shows(self, section: str) -> bool:
        """Whether the homepage shows ``section`` (a feature name)."""
        return self.flow is None and bool(self.feature(section)["enabled"])

    def allows(self, feature: str, subscription: str | None = None) -> bool:
        """Whether an action of ``feature`` (on ``subscription``) is possible in this session."""
        flow = self.flow
        if flow is None:
            return bool(self.feature(feature)["enabled"])
        kind = flow["type"]
        if kind == "subscription_update_confirm":
            kind = "subscription_update"
        if kind != feature:
            return False
        target = (flow.get(flow["type"]) or {}).get("subscription")
        return subscription is None or target == subscription


def load(ledger: Ledger, secret: str, business: str) -> Portal:
    """The usable session behind ``secret`` (marking it visited), or :class:`SessionGone`."""
    found = portal_sessions.lookup(ledger, secret)
    if found is None:
        raise SessionGone(404, None)
    session, meta, usable = found
    if not usable:
        raise SessionGone(410, session["return_url"])
    config = ledger.render(ledger.get("billing_portal.configuration", session["configuration"]))
    return Portal(
        secret=secret,
        session=ledger.render(session),
        config=config,
        products=[dict(p) for p in ledger.state.portal_products.get(config["id"], [])],
        flow_data=dict(meta.get("flow_data") or {}),
        flow_completed=bool(meta["flow_completed"]),
        csrf=str(meta["csrf"]),
        business=business,
    )


def check_csrf(portal: Portal, form: Params) -> None:
    """Refuse (403) a form that does not carry this session's token."""
    token = form.get("csrf_token")
    if not isinstance(token, str) or not secrets.compare_digest(token, portal.csrf):
        raise PortalRefusal(
            "This form has expired or did not come from this page. Reload and try again.", 403
        )


def complete_flow(ledger: Ledger, portal: Portal) -> None:
    """Record that the session's deep-link flow is done."""
    ledger.state.sessions[portal.session["id"]]["flow_completed"] = True
