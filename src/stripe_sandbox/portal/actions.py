"""The portal's form actions: each checks the session, its CSRF token and its configuration,
then changes things only through the store's operations, in one transaction (a refusal or
a declined card leaves nothing behind), so the events are exactly the API's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..ledger import Ledger
from ..store import SandboxStore
from . import cards, rules, views
from .context import Portal, PortalRefusal, check_csrf, complete_flow, load

Form = dict[str, Any]
Action = Callable[[SandboxStore, Ledger, Portal, Form], str]


def perform(store: SandboxStore, secret: str, business: str, form: Form, action: Action) -> str:
    """Run ``action``; returns where to send the browser next (Post/Redirect/Get)."""
    with store.transaction() as ledger:
        portal = load(ledger, secret, business)
        check_csrf(portal, form)
        message = action(store, ledger, portal, form)
        flow = portal.flow
        if flow is None:
            return f"{portal.base}?message={message}"
        complete_flow(ledger, portal)
        after = flow["after_completion"]
        if after["type"] == "redirect":
            return str(after["redirect"]["return_url"])
        if after["type"] == "hosted_confirmation":
            return f"{portal.base}/done"
        return f"{portal.base}?message={message}"


def _require(allowed: bool) -> None:
    if not allowed:
        raise PortalRefusal("This action is not available in this session.", 404)


def _integer(form: Form, name: str) -> int | None:
    value = str(form.get(name, "")).strip()
    if not value:
        return None
    if not value.isdigit():
        raise PortalRefusal(f"Enter a whole number for the {name}.")
    return int(value)


def change_plan(sub_id: str) -> Action:
    def act(store: SandboxStore, ledger: Ledger, portal: Portal, form: Form) -> str:
        _require(portal.allows("subscription_update", sub_id))
        sub = views.own_subscription(ledger, portal, sub_id)
        feature = portal.feature("subscription_update")
        offered = rules.allowed_price_ids(portal.products) + flow_prices(portal)
        price_id = str(form.get("price") or "") or None
        items = rules.update_items(feature, offered, sub, price_id, _integer(form, "quantity"))
        params: dict[str, Any] = {
            "items": items,
            "proration_behavior": feature["proration_behavior"],
        }
        moment = _integer(form, "proration_date")
        if moment is not None:
            params["proration_date"] = str(moment)
        store.update_subscription(sub_id, params)
        return "plan_updated"

    return act


def flow_prices(portal: Portal) -> list[str]:
    """The price a ``subscription_update_confirm`` flow proposes (offered even if unlisted)."""
    flow = portal.flow
    if flow is None or flow["type"] != "subscription_update_confirm":
        return []
    return [str(i["price"]) for i in flow["subscription_update_confirm"]["items"] if i["price"]]


def cancel(sub_id: str) -> Action:
    def act(store: SandboxStore, ledger: Ledger, portal: Portal, form: Form) -> str:
        _require(portal.allows("subscription_cancel", sub_id))
        sub = views.own_subscription(ledger, portal, sub_id)
        reason = str(form.get("reason") or "") or None
        comment = str(form.get("comment") or "").strip() or None
        feature = portal.feature("subscription_cancel")
        immediately, params = rules.cancellation(feature, sub, reason, comment)
        if immediately:
            store.cancel_subscription(sub_id, params)
            return "canceled"
        store.update_subscription(sub_id, params)
        return "cancel_scheduled"

    return act


def renew(sub_id: str) -> Action:
    def act(store: SandboxStore, ledger: Ledger, portal: Portal, form: Form) -> str:
        _require(portal.flow is None)
        sub = views.own_subscription(ledger, portal, sub_id)
        if not sub["cancel_at_period_end"]:
            raise PortalRefusal("This subscription is not set to cancel.")
        store.update_subscription(sub_id, {"cancel_at_period_end": "false"})
        return "renewed"

    return act


def add_card(store: SandboxStore, ledger: Ledger, portal: Portal, form: Form) -> str:
    _require(portal.allows("payment_method_update"))
    card = cards.card_params(form, ledger.now)
    pm = store.create_payment_method({"type": "card", "card": card})
    customer = portal.customer_id
    store.attach_payment_method(pm["id"], {"customer": customer})
    store.update_customer(customer, {"invoice_settings": {"default_payment_method": pm["id"]}})
    return "card_added"


def make_default(pm_id: str) -> Action:
    def act(store: SandboxStore, ledger: Ledger, portal: Portal, form: Form) -> str:
        _require(portal.shows("payment_method_update"))
        card = _own_card(ledger, portal, pm_id)
        if not card.default:
            settings = {"default_payment_method": pm_id}
            store.update_customer(portal.customer_id, {"invoice_settings": settings})
        return "default_set"

    return act


def remove_card(pm_id: str) -> Action:
    def act(store: SandboxStore, ledger: Ledger, portal: Portal, form: Form) -> str:
        _require(portal.shows("payment_method_update"))
        if _own_card(ledger, portal, pm_id).default:
            raise PortalRefusal("Make another card the default before removing this one.")
        store.detach_payment_method(pm_id)
        return "card_removed"

    return act


def _own_card(ledger: Ledger, portal: Portal, pm_id: str) -> views.CardView:
    found = next((c for c in views.cards(ledger, portal) if c.id == pm_id), None)
    if found is None:
        raise PortalRefusal("That payment method was not found.", 404)
    return found


def update_billing(store: SandboxStore, ledger: Ledger, portal: Portal, form: Form) -> str:
    _require(portal.shows("customer_update"))
    allowed = portal.feature("customer_update")["allowed_updates"]
    params = rules.billing_params(allowed, form)
    if params:
        store.update_customer(portal.customer_id, params)
    return "billing_updated"
