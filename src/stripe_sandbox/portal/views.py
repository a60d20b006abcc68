"""What the portal pages show, read from the ledger: plans, cards, invoices, billing details."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .. import subscription_schedules, tax_ids
from ..ledger import Ledger
from ..money import format_amount
from ..subscriptions import ENDED, period_of
from . import rules
from .context import Portal, PortalRefusal


def day(timestamp: int | None) -> str:
    """``12 March 2026`` (UTC), or an empty string."""
    if timestamp is None:
        return ""
    moment = datetime.fromtimestamp(timestamp, UTC)
    return f"{moment.day} {moment:%B %Y}"


def price_label(price: dict[str, Any], quantity: int = 1) -> str:
    """``$29.00 / month`` (``$29.00 x 3 / month`` for a quantity above one)."""
    amount = format_amount(price["unit_amount"] or 0, price["currency"])
    recurring = price["recurring"] or {"interval": "once", "interval_count": 1}
    count = recurring["interval_count"]
    every = recurring["interval"] if count == 1 else f"{count} {recurring['interval']}s"
    times = f" x {quantity}" if quantity != 1 else ""
    return f"{amount}{times} / {every}"


@dataclass(frozen=True)
class PlanView:
    id: str
    status: str
    products: list[str]
    prices: list[str]
    quantity: int
    price_id: str
    period_end: str
    cancels_on: str | None
    trial_ends: str | None
    scheduled_change: str | None
    """``Changes to Basic on 12 March 2026`` while a change waits for the period end."""
    can_update: bool
    can_cancel: bool
    can_renew: bool


def product_name(ledger: Ledger, product_id: str) -> str:
    return str(ledger.state.table("product").get(product_id, {}).get("name", "Product"))


def plans(ledger: Ledger, portal: Portal) -> list[PlanView]:
    """The customer's current (not ended) subscriptions, oldest first."""
    found = []
    for sub in ledger.state.table("subscription").values():
        if sub["customer"] == portal.customer_id and sub["status"] not in ENDED:
            found.append(plan_view(ledger, portal, ledger.render(sub)))
    return found


def plan_view(ledger: Ledger, portal: Portal, sub: dict[str, Any]) -> PlanView:
    items = sub["items"]["data"]
    cancels = sub["cancel_at"] if sub["cancel_at_period_end"] or sub["cancel_at"] else None
    return PlanView(
        id=sub["id"],
        status=sub["status"],
        products=[product_name(ledger, i["price"]["product"]) for i in items],
        prices=[price_label(i["price"], i["quantity"]) for i in items],
        quantity=int(items[0]["quantity"]),
        price_id=items[0]["price"]["id"],
        period_end=day(period_of(sub)[1]),
        cancels_on=day(cancels) if cancels else None,
        trial_ends=day(sub["trial_end"]) if sub["status"] == "trialing" else None,
        scheduled_change=scheduled_change(ledger, sub),
        can_update=portal.allows("subscription_update", sub["id"])
        and rules.why_not_updatable(sub) is None,
        can_cancel=portal.allows("subscription_cancel", sub["id"]) and cancels is None,
        can_renew=portal.flow is None and bool(sub["cancel_at_period_end"]),
    )


def scheduled_change(ledger: Ledger, sub: dict[str, Any]) -> str | None:
    """What the subscription's schedule changes next, and when, in words."""
    phase = subscription_schedules.next_change(ledger, sub)
    if phase is None:
        return None
    price = ledger.get("price", phase["items"][0]["price"])
    return f"Changes to {product_name(ledger, price['product'])} on {day(phase['start_date'])}"


def own_subscription(ledger: Ledger, portal: Portal, sub_id: str) -> dict[str, Any]:
    """The customer's subscription ``sub_id`` (404 for anyone else's)."""
    sub = ledger.state.table("subscription").get(sub_id)
    if sub is None or sub["customer"] != portal.customer_id:
        raise PortalRefusal("That subscription was not found.", 404)
    return ledger.render(sub)


@dataclass(frozen=True)
class PlanOption:
    price_id: str
    product: str
    label: str
    current: bool


def plan_options(ledger: Ledger, portal: Portal, current_price: str) -> list[PlanOption]:
    """The configuration's products and prices, in its order."""
    prices = ledger.state.table("price")
    options = []
    for price_id in rules.allowed_price_ids(portal.products):
        price = prices.get(price_id)
        if price is not None and price["active"]:
            name = product_name(ledger, price["product"])
            options.append(
                PlanOption(price_id, name, price_label(price), price_id == current_price)
            )
    return options


@dataclass(frozen=True)
class CardView:
    id: str
    brand: str
    last4: str
    expires: str
    default: bool


def cards(ledger: Ledger, portal: Portal) -> list[CardView]:
    customer = ledger.get("customer", portal.customer_id)
    default = customer["invoice_settings"]["default_payment_method"]
    return [
        CardView(
            pm["id"],
            pm["card"]["brand"].title(),
            pm["card"]["last4"],
            f"{pm['card']['exp_month']:02d}/{pm['card']['exp_year'] % 100:02d}",
            pm["id"] == default,
        )
        for pm in ledger.state.table("payment_method").values()
        if pm["customer"] == portal.customer_id
    ]


@dataclass(frozen=True)
class InvoiceView:
    number: str
    date: str
    total: str
    status: str
    url: str
    pdf: str


def invoices(ledger: Ledger, portal: Portal) -> list[InvoiceView]:
    """Finalized invoices, newest first."""
    found = [
        i
        for i in ledger.state.table("invoice").values()
        if i["customer"] == portal.customer_id and i["status"] != "draft"
    ]
    found.sort(key=lambda i: i["created"], reverse=True)
    return [
        InvoiceView(
            i["number"] or i["id"],
            day(i["created"]),
            format_amount(i["total"], i["currency"]),
            i["status"],
            i["hosted_invoice_url"],
            i["invoice_pdf"],
        )
        for i in found
    ]


@dataclass(frozen=True)
class BillingView:
    allowed: list[str]
    customer: dict[str, Any] = field(default_factory=dict)
    tax_ids: list[dict[str, Any]] = field(default_factory=list)
    tax_id_types: dict[str, str] = field(default_factory=dict)


def billing(ledger: Ledger, portal: Portal) -> BillingView:
    allowed = list(portal.feature("customer_update")["allowed_updates"])
    customer = ledger.render(ledger.get("customer", portal.customer_id))
    if "tax_id" not in allowed:
        return BillingView(allowed, customer)
    owned = [ledger.render(t) for t in tax_ids.of_customer(ledger, portal.customer_id)]
    return BillingView(allowed, customer, owned, dict(rules.TAX_ID_TYPES))
