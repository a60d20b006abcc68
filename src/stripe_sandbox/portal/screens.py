"""Each portal screen: which template, with what. A session with an open deep-link flow
gets that flow's screen instead of the homepage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..ledger import Ledger
from ..money import format_amount
from ..store import SandboxStore
from . import rules, views
from .actions import flow_prices
from .context import Portal, PortalRefusal
from .preview import preview_scheduled, preview_update

Screen = tuple[str, dict[str, Any]]
Builder = Callable[[SandboxStore, Ledger, Portal], Screen]
MESSAGES = {
    "plan_updated": "Your plan has been updated.",
    "plan_scheduled": "Your plan will change at the end of the billing period.",
    "canceled": "Your subscription has been canceled.",
    "cancel_scheduled": "Your subscription will be canceled at the end of the billing period.",
    "renewed": "Your subscription will renew as usual.",
    "card_added": "Your card has been added and is now your default payment method.",
    "default_set": "Your default payment method has been updated.",
    "card_removed": "The payment method has been removed.",
    "billing_updated": "Your billing information has been updated.",
    "tax_id_added": "Your tax ID has been added.",
    "tax_id_removed": "Your tax ID has been removed.",
}
ALERTS = {"payment_failed": "Your card was declined."}


def home(message: str | None) -> Builder:
    def build(store: SandboxStore, ledger: Ledger, portal: Portal) -> Screen:
        flow = portal.session["flow"]
        completed = flow is not None and portal.flow is None
        if completed and flow["after_completion"]["type"] == "hosted_confirmation":
            return done(store, ledger, portal)
        active = portal.flow
        if active is None:
            return "portal_home.html", {
                "plans": views.plans(ledger, portal),
                "cards": views.cards(ledger, portal),
                "invoices": views.invoices(ledger, portal),
                "billing": views.billing(ledger, portal),
                "message": _flash(ledger, portal, message),
                "alert": ALERTS.get(message or ""),
            }
        kind = active["type"]
        if kind == "payment_method_update":
            return add_card(store, ledger, portal)
        sub_id = active[kind]["subscription"]
        if kind == "subscription_cancel":
            return cancel(sub_id)(store, ledger, portal)
        if kind == "subscription_update":
            return update(sub_id)(store, ledger, portal)
        raw = (portal.flow_data.get(kind) or {}).get("items") or [{}]
        price = flow_prices(portal)[0] if flow_prices(portal) else None
        return confirm(sub_id, price, raw[0].get("quantity"))(store, ledger, portal)

    return build


def _flash(ledger: Ledger, portal: Portal, message: str | None) -> str | None:
    """The confirmation for ``message``; a payment's amount comes from the session."""
    if message != "payment_succeeded":
        return MESSAGES.get(message or "")
    payment = ledger.state.sessions[portal.session["id"]].get("last_payment")
    if not payment:
        return None
    return (
        f"Your payment of {format_amount(payment['amount'], payment['currency'])} was successful."
    )


def update(sub_id: str, error: str | None = None) -> Builder:
    def build(store: SandboxStore, ledger: Ledger, portal: Portal) -> Screen:
        if not portal.allows("subscription_update", sub_id):
            raise PortalRefusal("Changing plans is not available in this session.", 404)
        sub = views.own_subscription(ledger, portal, sub_id)
        plan = views.plan_view(ledger, portal, sub)
        feature = portal.feature("subscription_update")
        return "portal_update.html", {
            "plan": plan,
            "options": views.plan_options(ledger, portal, plan.price_id),
            "allow_price": "price" in feature["default_allowed_updates"],
            "allow_quantity": "quantity" in feature["default_allowed_updates"],
            "error": error,
            "blocked": rules.why_not_updatable(sub),
        }

    return build


def confirm(sub_id: str, price: str | None, quantity: Any) -> Builder:
    def build(store: SandboxStore, ledger: Ledger, portal: Portal) -> Screen:
        if not portal.allows("subscription_update", sub_id):
            raise PortalRefusal("Changing plans is not available in this session.", 404)
        sub = views.own_subscription(ledger, portal, sub_id)
        feature = portal.feature("subscription_update")
        offered = rules.allowed_price_ids(portal.products) + flow_prices(portal)
        try:
            count = int(quantity) if quantity not in (None, "") else None
            items = rules.update_items(feature, offered, sub, price or None, count)
        except (PortalRefusal, ValueError) as refused:
            message = getattr(refused, "message", "Enter a whole number for the quantity.")
            return update(sub_id, message)(store, ledger, portal)
        behavior = feature["proration_behavior"]
        params = {"items": items, "proration_behavior": behavior}
        new_price = ledger.get("price", items[0]["price"])
        new_quantity = int(items[0]["quantity"])
        scheduled = rules.scheduled_at_period_end(
            feature, sub["items"]["data"][0], new_price, new_quantity
        )
        preview = (
            preview_scheduled(ledger, sub, new_price, new_quantity)
            if scheduled
            else preview_update(store, sub_id, params)
        )
        return "portal_confirm.html", {
            "plan": views.plan_view(ledger, portal, sub),
            "new_product": views.product_name(ledger, new_price["product"]),
            "new_price": views.price_label(new_price, int(items[0]["quantity"])),
            "item": items[0],
            "preview": preview,
            "behavior": behavior,
            "scheduled": scheduled,
        }

    return build


def cancel(sub_id: str) -> Builder:
    def build(store: SandboxStore, ledger: Ledger, portal: Portal) -> Screen:
        if not portal.allows("subscription_cancel", sub_id):
            raise PortalRefusal("Cancelling is not available in this session.", 404)
        sub = views.own_subscription(ledger, portal, sub_id)
        return "portal_cancel.html", {
            "plan": views.plan_view(ledger, portal, sub),
            "feature": portal.feature("subscription_cancel"),
            "reason_required": rules.reason_required(portal.config),
        }

    return build


def add_card(store: SandboxStore, ledger: Ledger, portal: Portal) -> Screen:
    if not portal.allows("payment_method_update"):
        raise PortalRefusal("Updating payment methods is not available in this session.", 404)
    return "portal_card.html", {}


def billing(store: SandboxStore, ledger: Ledger, portal: Portal) -> Screen:
    if not portal.shows("customer_update"):
        raise PortalRefusal("Updating billing information is not available here.", 404)
    return "portal_billing.html", {"billing": views.billing(ledger, portal)}


def done(store: SandboxStore, ledger: Ledger, portal: Portal) -> Screen:
    flow = portal.session["flow"] or {}
    confirmation = (flow.get("after_completion") or {}).get("hosted_confirmation") or {}
    return "portal_done.html", {"custom_message": confirmation.get("custom_message")}
