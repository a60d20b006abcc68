"""Billing-portal sessions: creation rules, flows, and the secret hosted URL.

A session's ``url`` is ``<public base>/p/session/<secret>``; the secret (not the id) opens
the hosted page. Unvisited sessions expire :data:`UNUSED_TTL` seconds after creation;
a visited one stays usable for :data:`VISITED_TTL` seconds after the first visit.
"""

from __future__ import annotations

import secrets
from typing import Any

from .errors import InvalidRequest
from .ledger import Ledger
from .objects import blank, new_id
from .params import Params, array, choice, mapping, require, text
from .subscriptions import ENDED

UNUSED_TTL = 5 * 60
VISITED_TTL = 60 * 60
FLOW_TYPES = (
    "payment_method_update",
    "subscription_cancel",
    "subscription_update",
    "subscription_update_confirm",
)
LOCALES = (
    "auto",
    "bg",
    "cs",
    "da",
    "de",
    "el",
    "en",
    "en-AU",
    "en-CA",
    "en-GB",
    "en-IE",
    "en-IN",
    "en-NZ",
    "en-SG",
    "es",
    "es-419",
    "et",
    "fi",
    "fil",
    "fr",
    "fr-CA",
    "hr",
    "hu",
    "id",
    "it",
    "ja",
    "ko",
    "lt",
    "lv",
    "ms",
    "mt",
    "nb",
    "nl",
    "pl",
    "pt",
    "pt-BR",
    "ro",
    "ru",
    "sk",
    "sl",
    "sv",
    "th",
    "tr",
    "vi",
    "zh",
    "zh-HK",
    "zh-TW",
)
FD = "flow_data"


def create(ledger: Ledger, params: Params) -> dict[str, Any]:
    """``POST /v1/billing_portal/sessions``."""
    customer = ledger.get("customer", require(params, "customer"), "customer")
    config = _configuration(ledger, text(params, "configuration"))
    session = blank("billing_portal.session")
    session_id, secret = new_id("bps"), secrets.token_urlsafe(24)
    session.update(
        id=session_id,
        created=ledger.now,
        customer=customer["id"],
        configuration=config["id"],
        locale=choice(params, "locale", LOCALES),
        return_url=text(params, "return_url") or config["default_return_url"],
        url=f"{ledger.base_url}/p/session/{secret}",
    )
    raw_flow = mapping(params, FD)
    if raw_flow:
        session["flow"] = _flow(ledger, raw_flow, customer["id"], config)
    ledger.state.sessions[session_id] = {
        "secret": secret,
        "expires_at": ledger.now + UNUSED_TTL,
        "visited_at": None,
        "flow_data": dict(raw_flow),
        "csrf": secrets.token_urlsafe(24),
        "flow_completed": False,
    }
    ledger.put(session)
    ledger.emit("billing_portal.session.created", session)
    return session


def open_by_secret(ledger: Ledger, secret: str) -> dict[str, Any] | None:
    """The session whose URL carries ``secret`` if still usable (marks it visited)."""
    found = lookup(ledger, secret)
    return found[0] if found is not None and found[2] else None


def lookup(ledger: Ledger, secret: str) -> tuple[dict[str, Any], dict[str, Any], bool] | None:
    """``(session, meta, usable)`` for a URL secret (a usable one is marked visited).

    None when no session has that secret. ``meta`` holds what Stripe keeps but never shows:
    the secret, expiry, the hosted pages' CSRF token and whether the deep-link flow is done.
    """
    for session_id, meta in ledger.state.sessions.items():
        if secrets.compare_digest(meta["secret"], secret):
            session = ledger.state.table("billing_portal.session")[session_id]
            if ledger.now > meta["expires_at"]:
                return session, meta, False
            if meta["visited_at"] is None:
                meta["visited_at"] = ledger.now
                meta["expires_at"] = ledger.now + VISITED_TTL
            meta.setdefault("csrf", secrets.token_urlsafe(24))
            meta.setdefault("flow_completed", False)
            return session, meta, True
    return None


def _configuration(ledger: Ledger, config_id: str | None) -> dict[str, Any]:
    table = ledger.state.table("billing_portal.configuration")
    if config_id is None:
        default = next((c for c in table.values() if c["is_default"]), None)
        if default is None:
            raise InvalidRequest(
                "No configuration provided and your test mode default configuration has not "
                "been created. Provide a configuration or create your default by saving your "
                "customer portal settings.",
            )
        return default
    config = ledger.get("billing_portal.configuration", config_id, "configuration")
    if not config["active"]:
        raise InvalidRequest(
            f"The configuration {config_id} is inactive and cannot be used to create a session.",
            param="configuration",
        )
    return config


def _flow(ledger: Ledger, raw: Params, customer_id: str, config: dict[str, Any]) -> dict[str, Any]:
    flow = blank("billing_portal.session.flow")
    kind = choice(raw, "type", FLOW_TYPES, f"{FD}[type]")
    flow["type"] = require(raw, "type", f"{FD}[type]") if kind is None else kind
    flow["after_completion"] = _after_completion(mapping(raw, "after_completion"))
    features = config["features"]
    if kind == "subscription_cancel":
        sub_id = _subscription(ledger, raw, kind, customer_id)
        _require_feature(features, kind)
        flow[kind] = {"retention": None, "subscription": sub_id}
    elif kind == "subscription_update":
        sub_id = _subscription(ledger, raw, kind, customer_id)
        _require_feature(features, kind)
        flow[kind] = {"subscription": sub_id}
    elif kind == "subscription_update_confirm":
        sub_id = _subscription(ledger, raw, kind, customer_id)
        _require_feature(features, "subscription_update")
        items = array(mapping(raw, kind), "items", f"{FD}[{kind}][items]")
        if not items:
            raise InvalidRequest(
                f"Missing required param: {FD}[{kind}][items].", param=f"{FD}[{kind}][items]"
            )
        flow[kind] = {
            "discounts": [],
            "items": [{"id": i.get("id"), "price": i.get("price")} for i in items],
            "subscription": sub_id,
        }
    elif kind == "payment_method_update":
        _require_feature(features, kind)
    return flow


def _after_completion(raw: Params) -> dict[str, Any]:
    param = f"{FD}[after_completion]"
    kind = (
        choice(
            raw, "type", ["hosted_confirmation", "portal_homepage", "redirect"], f"{param}[type]"
        )
        or "portal_homepage"
    )
    result: dict[str, Any] = {"hosted_confirmation": None, "redirect": None, "type": kind}
    if kind == "redirect":
        url = require(mapping(raw, "redirect"), "return_url", f"{param}[redirect][return_url]")
        result["redirect"] = {"return_url": url}
    elif kind == "hosted_confirmation":
        message = text(mapping(raw, "hosted_confirmation"), "custom_message")
        result["hosted_confirmation"] = {"custom_message": message}
    return result


def _subscription(ledger: Ledger, raw: Params, kind: str, customer_id: str) -> str:
    param = f"{FD}[{kind}][subscription]"
    sub = ledger.get("subscription", require(mapping(raw, kind), "subscription", param), param)
    if sub["customer"] != customer_id:
        raise InvalidRequest("The subscription does not belong to the customer.", param=param)
    if sub["status"] in ENDED:
        raise InvalidRequest("The subscription has already been canceled.", param=param)
    return str(sub["id"])


def _require_feature(features: dict[str, Any], name: str) -> None:
    if not features[name]["enabled"]:
        raise InvalidRequest(
            f"The configuration does not have the `{name}` feature enabled, which this flow needs.",
            param=f"{FD}[type]",
        )
