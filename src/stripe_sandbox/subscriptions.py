"""Subscriptions: create (with trials and first payment), cancel now, list filters.

Periods live on the items (``current_period_start``/``current_period_end``), as in API
versions since 2025-03-31; all items of one subscription share one billing cycle.
Updates are in :mod:`stripe_sandbox.subscription_updates`, clock-driven transitions in
:mod:`stripe_sandbox.lifecycle`.
"""

from __future__ import annotations

from typing import Any

from . import billing, catalog, payment_methods
from .errors import CardDeclined, InvalidRequest
from .ledger import Ledger
from .money import format_amount
from .objects import blank, new_id
from .params import Params, array, choice, integer, mapping, merge_metadata, require, text
from .periods import DAY, add_interval

ENDED = ("canceled", "incomplete_expired")
STATUSES = (
    "active",
    "past_due",
    "unpaid",
    "canceled",
    "incomplete",
    "incomplete_expired",
    "trialing",
    "paused",
    "all",
    "ended",
)
FEEDBACK = (
    "customer_service",
    "low_quality",
    "missing_features",
    "other",
    "switched_service",
    "too_complex",
    "too_expensive",
    "unused",
)


def create(ledger: Ledger, params: Params) -> dict[str, Any]:
    """``POST /v1/subscriptions``: bills the first period (or a $0 trial invoice) at once.

    ``payment_behavior``: ``allow_incomplete`` (default; a failed first payment leaves the
    subscription ``incomplete``), ``error_if_incomplete`` (402, nothing created) or
    ``default_incomplete`` (invoice left open, no charge).
    """
    customer = ledger.get("customer", require(params, "customer"), "customer")
    behavior = (
        choice(
            params,
            "payment_behavior",
            [
                "allow_incomplete",
                "error_if_incomplete",
                "default_incomplete",
                "pending_if_incomplete",
            ],
        )
        or "allow_incomplete"
    )
    sub = blank("subscription")
    sub.update(id=new_id("sub"), created=ledger.now, start_date=ledger.now, customer=customer["id"])
    sub["items"]["url"] = f"/v1/subscription_items?subscription={sub['id']}"
    prices = [_price_for(ledger, raw, i) for i, raw in enumerate(array(params, "items"))]
    if not prices:
        raise InvalidRequest("Missing required param: items.", param="items")
    _check_compatible(prices)
    sub["currency"] = prices[0][0]["currency"]
    trial_days = integer(params, "trial_period_days")
    trial_end = ledger.now + trial_days * DAY if trial_days else integer(params, "trial_end")
    start, end = ledger.now, trial_end or add_interval(ledger.now, *interval_of(prices[0][0]))
    sub["billing_cycle_anchor"] = end if trial_end else start
    for price, quantity in prices:
        sub["items"]["data"].append(new_item(ledger, sub, price, quantity, (start, end)))
    if trial_end:
        sub.update(trial_start=start, trial_end=trial_end, status="trialing")
    apply_common(ledger, sub, params)
    if customer["currency"] is None:
        customer["currency"] = sub["currency"]
    ledger.put(sub)
    reason = "subscription_create"
    specs = [
        billing.line_spec(
            sub,
            item,
            0 if trial_end else item_amount(item),
            (start, end),
            describe(ledger, item, trial=bool(trial_end)),
        )
        for item in sub["items"]["data"]
    ]
    invoice = billing.create(ledger, sub, specs, reason)
    sub["latest_invoice"] = invoice["id"]
    billing.finalize(ledger, invoice)
    paid = behavior != "default_incomplete" and billing.charge(
        ledger, invoice, payment_method_for(ledger, sub)
    )
    if not paid and behavior == "error_if_incomplete":
        raise CardDeclined("Your card was declined.")
    if not trial_end:
        sub["status"] = "active" if paid else "incomplete"
    ledger.emit("customer.subscription.created", sub)
    return sub


def _price_for(ledger: Ledger, raw: Any, index: int) -> tuple[dict[str, Any], int]:
    if not isinstance(raw, dict):
        raise InvalidRequest("Invalid items.", param=f"items[{index}]")
    price = ledger.get(
        "price", require(raw, "price", f"items[{index}][price]"), f"items[{index}][price]"
    )
    check_price(price, f"items[{index}][price]")
    quantity = integer(raw, "quantity", f"items[{index}][quantity]")
    return price, 1 if quantity is None else check_quantity(quantity, f"items[{index}][quantity]")


def check_price(price: dict[str, Any], param: str) -> None:
    """Stripe's checks for a price used on a subscription item."""
    if not price["active"]:
        raise InvalidRequest(
            "The price specified is inactive. This field only accepts active prices.", param=param
        )
    if price["type"] != "recurring":
        raise InvalidRequest(
            "The price specified is set to `type=one_time` but this field only accepts prices "
            "with `type=recurring`.",
            param=param,
        )


def check_quantity(quantity: int, param: str) -> int:
    """Quantities are non-negative integers."""
    if quantity < 0:
        raise InvalidRequest("Invalid positive integer", param=param)
    return quantity


def _check_compatible(prices: list[tuple[dict[str, Any], int]]) -> None:
    first = prices[0][0]
    for price, _ in prices[1:]:
        if price["currency"] != first["currency"] or interval_of(price) != interval_of(first):
            raise InvalidRequest(
                "Currency and interval fields must match across all plans on this subscription.",
                param="items",
            )


def new_item(
    ledger: Ledger,
    sub: dict[str, Any],
    price: dict[str, Any],
    quantity: int,
    period: tuple[int, int],
) -> dict[str, Any]:
    """A subscription item for ``price`` over ``period``."""
    item = blank("subscription_item")
    item.update(
        id=new_id("si", 14),
        created=ledger.now,
        subscription=sub["id"],
        quantity=quantity,
        price=dict(price),
        plan=catalog.plan_for(price),
        current_period_start=period[0],
        current_period_end=period[1],
    )
    return item


def apply_common(ledger: Ledger, sub: dict[str, Any], params: Params) -> None:
    if "default_payment_method" in params:
        pm_id = text(params, "default_payment_method")
        if pm_id is not None:
            payment_methods.require_attached(ledger, pm_id, sub["customer"])
        sub["default_payment_method"] = pm_id
    if "description" in params:
        sub["description"] = text(params, "description")
    if "metadata" in params:
        sub["metadata"] = merge_metadata(sub["metadata"], params)


def cancel(ledger: Ledger, sub_id: str, params: Params) -> dict[str, Any]:
    """``DELETE /v1/subscriptions/{id}``: ends it now (``customer.subscription.deleted``)."""
    sub = ledger.get("subscription", sub_id)
    if sub["status"] in ENDED:
        raise InvalidRequest(f"The subscription {sub_id} has already been canceled.")
    details = cancellation_details(params)
    end(ledger, sub, ledger.now, details, reason="cancellation_requested")
    return sub


def end(ledger: Ledger, sub: dict[str, Any], at: int, details: dict[str, Any], reason: str) -> None:
    """Mark ``sub`` canceled at ``at`` and emit ``customer.subscription.deleted``; an open
    subscription schedule is canceled with it (``subscription_schedule.canceled``)."""
    sub.update(status="canceled", ended_at=at, canceled_at=sub["canceled_at"] or at)
    sub["cancellation_details"].update(details, reason=reason)
    ledger.state.pending_prorations.pop(sub["id"], None)
    ledger.emit("customer.subscription.deleted", sub)
    schedule = ledger.state.table("subscription_schedule").get(sub["schedule"] or "")
    if schedule is not None and schedule["status"] in ("not_started", "active"):
        schedule.update(status="canceled", canceled_at=at, current_phase=None)
        ledger.emit("subscription_schedule.canceled", schedule)


def cancellation_details(params: Params) -> dict[str, Any]:
    """``cancellation_details[comment]`` and ``[feedback]`` (feedback from Stripe's list)."""
    raw = mapping(params, "cancellation_details")
    details: dict[str, Any] = {}
    if "comment" in raw:
        details["comment"] = text(raw, "comment", "cancellation_details[comment]")
    if "feedback" in raw:
        details["feedback"] = choice(raw, "feedback", FEEDBACK, "cancellation_details[feedback]")
    return details


def list_filter(params: Params) -> Any:
    """``GET /v1/subscriptions``: ``customer``, ``price``, ``status`` (default hides canceled)."""
    customer = text(params, "customer")
    price = text(params, "price")
    status = choice(params, "status", STATUSES)

    def matches(sub: dict[str, Any]) -> bool:
        if customer is not None and sub["customer"] != customer:
            return False
        if price is not None and all(i["price"]["id"] != price for i in sub["items"]["data"]):
            return False
        if status is None:
            return bool(sub["status"] != "canceled")
        if status == "ended":
            return sub["status"] in ENDED
        return status == "all" or sub["status"] == status

    return matches


def interval_of(price: dict[str, Any]) -> tuple[str, int]:
    """``(interval, interval_count)`` of a recurring price."""
    return price["recurring"]["interval"], price["recurring"]["interval_count"]


def item_amount(item: dict[str, Any]) -> int:
    """What one full period of an item costs."""
    return int(item["price"]["unit_amount"] or 0) * int(item["quantity"])


def period_of(sub: dict[str, Any]) -> tuple[int, int]:
    """The subscription's current period (from its first item)."""
    first = sub["items"]["data"][0]
    return first["current_period_start"], first["current_period_end"]


def payment_method_for(ledger: Ledger, sub: dict[str, Any]) -> str | None:
    """The subscription's payment method, else the customer's invoice default."""
    if sub["default_payment_method"]:
        return str(sub["default_payment_method"])
    customer = ledger.state.table("customer").get(sub["customer"])
    return customer["invoice_settings"]["default_payment_method"] if customer else None


def describe(ledger: Ledger, item: dict[str, Any], trial: bool = False) -> str:
    """A line description such as ``1 x Pro (at $20.00 / month)``."""
    price = item["price"]
    product = ledger.state.table("product").get(price["product"], {}).get("name", "Product")
    if trial:
        return f"Trial period for {product}"
    interval, count = interval_of(price)
    every = interval if count == 1 else f"{count} {interval}s"
    amount = format_amount(price["unit_amount"] or 0, price["currency"])
    return f"{item['quantity']} x {product} (at {amount} / {every})"
