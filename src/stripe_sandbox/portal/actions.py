"""The portal's form actions: each checks the session, its CSRF token and its configuration,
then changes things only through the store's operations, in one transaction (a refusal or
a declined card leaves nothing behind), so the events are exactly the API's.

A plan change the configuration schedules for the period end becomes a subscription
schedule (created from the subscription, then given the new plan as its next phase). A
card added or made the default also becomes the default of the customer's live
subscriptions that had a default payment method of their own, and pays the open invoices
of past_due/unpaid subscriptions with it, as Stripe's portal does (the API never retries
on a default change).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import InvalidRequest
from ..ledger import Ledger
from ..store import SandboxStore
from ..subscriptions import ENDED
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
        new_price = ledger.get("price", items[0]["price"])
        quantity = int(items[0]["quantity"])
        if rules.scheduled_at_period_end(feature, sub["items"]["data"][0], new_price, quantity):
            schedule_change(store, sub_id, items[0])
            return "plan_scheduled"
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


def schedule_change(store: SandboxStore, sub_id: str, item: dict[str, Any]) -> None:
    """Keep the current plan until the period ends, then switch to ``item``'s."""
    schedule = store.create_subscription_schedule({"from_subscription": sub_id})
    current = schedule["phases"][0]
    store.update_subscription_schedule(
        schedule["id"],
        {
            "end_behavior": "release",
            "phases": [
                {
                    "items": [
                        {"price": i["price"], "quantity": str(i["quantity"])}
                        for i in current["items"]
                    ],
                    "start_date": str(current["start_date"]),
                    "end_date": str(current["end_date"]),
                },
                {
                    "items": [{"price": item["price"], "quantity": item["quantity"]}],
                    "iterations": "1",
                    "proration_behavior": "none",
                },
            ],
        },
    )


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
        required = rules.reason_required(portal.config)
        immediately, params = rules.cancellation(feature, sub, reason, comment, required)
        if immediately:
            store.cancel_subscription(sub_id, params)
            return "canceled"
        if sub["schedule"]:
            # A pending plan change is moot once the customer cancels.
            store.release_subscription_schedule(sub["schedule"])
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
    _follow_default(store, ledger, customer, pm["id"])
    return _collect_overdue(store, ledger, portal, pm["id"]) or "card_added"


def _follow_default(store: SandboxStore, ledger: Ledger, customer_id: str, pm_id: str) -> None:
    """Make ``pm_id`` the default of live subscriptions that had another one of their own."""
    for sub in list(ledger.state.table("subscription").values()):
        mine = sub["customer"] == customer_id and sub["status"] not in ENDED
        if mine and sub["default_payment_method"] not in (None, pm_id):
            store.update_subscription(sub["id"], {"default_payment_method": pm_id})


def _collect_overdue(store: SandboxStore, ledger: Ledger, portal: Portal, pm_id: str) -> str:
    """Pay what is overdue with the new default card, as Stripe's portal does; the outcome
    (``payment_succeeded``/``payment_failed``, or "" when nothing was due) is the flash, and
    the amount is kept with the session for it (never taken from the URL)."""
    attempted = store.retry_open_invoices(portal.customer_id, pm_id)
    if not attempted:
        return ""
    paid = [i for i in attempted if i["status"] == "paid"]
    ledger.state.sessions[portal.session["id"]]["last_payment"] = {
        "amount": sum(i["amount_paid"] for i in paid),
        "currency": attempted[0]["currency"],
    }
    return "payment_succeeded" if len(paid) == len(attempted) else "payment_failed"


def make_default(pm_id: str) -> Action:
    def act(store: SandboxStore, ledger: Ledger, portal: Portal, form: Form) -> str:
        _require(portal.shows("payment_method_update"))
        card = _own_card(ledger, portal, pm_id)
        if not card.default:
            settings = {"default_payment_method": pm_id}
            store.update_customer(portal.customer_id, {"invoice_settings": settings})
            _follow_default(store, ledger, portal.customer_id, pm_id)
            return _collect_overdue(store, ledger, portal, pm_id) or "default_set"
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


def add_tax_id(store: SandboxStore, ledger: Ledger, portal: Portal, form: Form) -> str:
    _require_tax_ids(portal)
    params = rules.tax_id_params(form)
    try:
        store.create_tax_id(portal.customer_id, params)
    except InvalidRequest as error:
        if error.code == "tax_id_invalid":
            raise rules.invalid_tax_id(params["type"]) from error
        raise
    return "tax_id_added"


def remove_tax_id(tax_id: str) -> Action:
    def act(store: SandboxStore, ledger: Ledger, portal: Portal, form: Form) -> str:
        _require_tax_ids(portal)
        found = ledger.state.table("tax_id").get(tax_id)
        if found is None or found["customer"] != portal.customer_id:
            raise PortalRefusal("That tax ID was not found.", 404)
        store.delete_tax_id(portal.customer_id, tax_id)
        return "tax_id_removed"

    return act


def _require_tax_ids(portal: Portal) -> None:
    _require(portal.shows("customer_update"))
    _require("tax_id" in portal.feature("customer_update")["allowed_updates"])
