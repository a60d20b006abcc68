"""Subscription updates: price/quantity changes with prorations, scheduled cancellation.

``proration_behavior``: ``create_prorations`` (default) queues credit/charge lines for the
next invoice, ``always_invoice`` bills them now, ``none`` changes the price without them.
A change of billing interval restarts the cycle now and bills the new period at once (with
the unused-time credit unless ``none``), as Stripe does. ``proration_date`` prorates as if
the change happened at that moment of the current period (to match a preview exactly).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from . import billing
from .catalog import plan_for
from .errors import InvalidRequest
from .events import changes
from .ledger import Ledger
from .params import Params, array, boolean, choice, integer, text
from .periods import add_interval
from .subscriptions import (
    ENDED,
    apply_common,
    cancellation_details,
    check_price,
    check_quantity,
    describe,
    interval_of,
    item_amount,
    new_item,
    payment_method_for,
    period_of,
)

PRORATION_BEHAVIORS = ("create_prorations", "none", "always_invoice")


def update(ledger: Ledger, sub_id: str, params: Params) -> dict[str, Any]:
    """``POST /v1/subscriptions/{id}``; emits ``customer.subscription.updated``."""
    sub = ledger.get("subscription", sub_id)
    before = ledger.render(sub)
    if sub["status"] in ENDED and set(params) - {"metadata", "cancellation_details", "expand"}:
        raise InvalidRequest(
            "A canceled subscription can only update its cancellation_details and metadata."
        )
    behavior = choice(params, "proration_behavior", PRORATION_BEHAVIORS) or "create_prorations"
    apply_common(ledger, sub, params)
    if "items" in params:
        at = _proration_date(ledger, sub, params)
        _change_items(ledger, sub, array(params, "items"), behavior, at)
    if "cancel_at_period_end" in params:
        _schedule_cancel(ledger, sub, bool(boolean(params, "cancel_at_period_end")), params)
    elif "cancellation_details" in params:
        sub["cancellation_details"].update(cancellation_details(params))
    previous = changes(before, ledger.render(sub))
    if previous:
        ledger.emit("customer.subscription.updated", sub, previous)
    return sub


def _schedule_cancel(ledger: Ledger, sub: dict[str, Any], on: bool, params: Params) -> None:
    if on and sub["schedule"]:
        raise InvalidRequest(
            f"The subscription is managed by the subscription schedule `{sub['schedule']}`, "
            "and updating any cancelation behavior directly is not allowed. Please update "
            "the schedule instead.",
            param="cancel_at_period_end",
        )
    if on:
        sub.update(cancel_at_period_end=True, cancel_at=period_of(sub)[1], canceled_at=ledger.now)
        sub["cancellation_details"].update(
            cancellation_details(params), reason="cancellation_requested"
        )
    else:
        sub.update(cancel_at_period_end=False, cancel_at=None, canceled_at=None)
        sub["cancellation_details"] = {"comment": None, "feedback": None, "reason": None}


def _proration_date(ledger: Ledger, sub: dict[str, Any], params: Params) -> int:
    at = integer(params, "proration_date")
    if at is None:
        return ledger.now
    start, end = period_of(sub)
    if not start <= at <= min(end, ledger.now):
        raise InvalidRequest(
            "The proration_date must be within the subscription's current billing period.",
            param="proration_date",
        )
    return at


def _change_items(
    ledger: Ledger, sub: dict[str, Any], raw_items: list[Any], behavior: str, at: int
) -> None:
    old_items = {item["id"]: dict(item) for item in sub["items"]["data"]}
    old_interval = interval_of(sub["items"]["data"][0]["price"])
    for index, raw in enumerate(raw_items):
        if not isinstance(raw, dict):
            raise InvalidRequest("Invalid items.", param=f"items[{index}]")
        _apply_item(ledger, sub, raw, index)
    if not sub["items"]["data"]:
        raise InvalidRequest("A subscription must have at least one item.", param="items")
    new_interval = interval_of(sub["items"]["data"][0]["price"])
    if any(interval_of(i["price"]) != new_interval for i in sub["items"]["data"]):
        raise InvalidRequest(
            "Currency and interval fields must match across all plans on this subscription.",
            param="items",
        )
    if sub["status"] == "trialing":
        return
    if new_interval != old_interval:
        _restart_cycle(ledger, sub, old_items, behavior, at)
        return
    if behavior == "none":
        return
    lines = _proration_lines(ledger, sub, old_items, at)
    if behavior == "always_invoice":
        pending = ledger.state.pending_prorations.pop(sub["id"], [])
        _bill_now(ledger, sub, pending + lines)
    elif lines:
        ledger.state.pending_prorations.setdefault(sub["id"], []).extend(lines)


def _apply_item(ledger: Ledger, sub: dict[str, Any], raw: Params, index: int) -> None:
    param = f"items[{index}]"
    items = sub["items"]["data"]
    item_id = text(raw, "id", f"{param}[id]")
    if item_id is None:
        price = ledger.get("price", text(raw, "price", f"{param}[price]"), f"{param}[price]")
        check_price(price, f"{param}[price]")
        quantity = check_quantity(
            integer(raw, "quantity", f"{param}[quantity]") or 1, f"{param}[quantity]"
        )
        items.append(new_item(ledger, sub, price, quantity, period_of(sub)))
        return
    item = next((i for i in items if i["id"] == item_id), None)
    if item is None:
        raise InvalidRequest(
            f"No such subscription item: '{item_id}'", code="resource_missing", param=f"{param}[id]"
        )
    if boolean(raw, "deleted", f"{param}[deleted]"):
        items.remove(item)
        return
    if "price" in raw:
        price = ledger.get("price", text(raw, "price", f"{param}[price]"), f"{param}[price]")
        check_price(price, f"{param}[price]")
        item.update(price=dict(price), plan=plan_for(price))
    new_quantity = integer(raw, "quantity", f"{param}[quantity]")
    if new_quantity is not None:
        item["quantity"] = check_quantity(new_quantity, f"{param}[quantity]")


def _proration_lines(
    ledger: Ledger, sub: dict[str, Any], old_items: dict[str, dict[str, Any]], at: int
) -> list[dict[str, Any]]:
    start, end = period_of(sub)
    fraction = max(end - at, 0) / max(end - start, 1)
    when = datetime.fromtimestamp(at, UTC).strftime("%d %b %Y")
    lines = []
    current = {item["id"]: item for item in sub["items"]["data"]}
    for item_id, old in old_items.items():
        new = current.get(item_id)
        if (
            new is not None
            and item_amount(new) == item_amount(old)
            and new["price"]["id"] == old["price"]["id"]
        ):
            continue
        lines.append(
            billing.line_spec(
                sub,
                old,
                -round(item_amount(old) * fraction),
                (at, end),
                f"Unused time on {describe(ledger, old)} after {when}",
                proration=True,
            )
        )
        if new is not None:
            lines.append(
                billing.line_spec(
                    sub,
                    new,
                    round(item_amount(new) * fraction),
                    (at, end),
                    f"Remaining time on {describe(ledger, new)} after {when}",
                    proration=True,
                )
            )
    for item_id, new in current.items():
        if item_id not in old_items:
            lines.append(
                billing.line_spec(
                    sub,
                    new,
                    round(item_amount(new) * fraction),
                    (at, end),
                    f"Remaining time on {describe(ledger, new)} after {when}",
                    proration=True,
                )
            )
    return lines


def _restart_cycle(
    ledger: Ledger,
    sub: dict[str, Any],
    old_items: dict[str, dict[str, Any]],
    behavior: str,
    at: int,
) -> None:
    credits = (
        []
        if behavior == "none"
        else [line for line in _proration_lines(ledger, sub, old_items, at) if line["amount"] < 0]
    )
    start = ledger.now
    end = add_interval(start, *interval_of(sub["items"]["data"][0]["price"]))
    for item in sub["items"]["data"]:
        item.update(current_period_start=start, current_period_end=end)
    sub["billing_cycle_anchor"] = start
    if sub["cancel_at_period_end"]:
        sub["cancel_at"] = end
    pending = ledger.state.pending_prorations.pop(sub["id"], [])
    full = [
        billing.line_spec(sub, item, item_amount(item), (start, end), describe(ledger, item))
        for item in sub["items"]["data"]
    ]
    _bill_now(ledger, sub, pending + credits + full)


def _bill_now(ledger: Ledger, sub: dict[str, Any], lines: list[dict[str, Any]]) -> None:
    if not lines:
        return
    invoice = billing.create(ledger, sub, lines, "subscription_update")
    billing.finalize(ledger, invoice)
    sub["latest_invoice"] = invoice["id"]
    if not billing.charge(ledger, invoice, payment_method_for(ledger, sub)):
        sub["status"] = "past_due"
