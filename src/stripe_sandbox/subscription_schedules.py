"""Subscription schedules, as far as a change scheduled for the period end needs them.

- ``POST /v1/subscription_schedules`` with ``from_subscription``: a schedule whose one
  phase is the subscription's current period and items; the subscription's ``schedule``
  points at it (``subscription_schedule.created``, ``customer.subscription.updated``).
- ``POST /v1/subscription_schedules/{id}``: replace ``phases`` (each with ``items``,
  ``start_date``, and ``end_date`` or ``iterations``), ``end_behavior`` (``release``
  only), ``metadata`` (``subscription_schedule.updated``). The first phase must stay the
  current one: the sandbox changes a subscription only when the test clock reaches a phase.
- ``POST /v1/subscription_schedules/{id}/release``: detach it
  (``subscription_schedule.released``).
- :func:`enter_phase`: at a renewal that starts a phase, the subscription takes that
  phase's items. When it is the last phase the schedule is complete: Stripe would keep it
  attached until that phase ends, the sandbox completes it (``subscription_schedule.completed``)
  and detaches it at once, since the subscription then simply renews on those items.
- Ending the subscription cancels its schedule (``subscription_schedule.canceled``).
"""

from __future__ import annotations

from typing import Any

from .catalog import plan_for
from .errors import InvalidRequest
from .ledger import Ledger
from .objects import blank, new_id
from .params import Params, array, choice, integer, merge_metadata, require, text
from .periods import add_interval
from .subscriptions import ENDED, check_price, check_quantity, interval_of, period_of

KIND = "subscription_schedule"
OPEN = ("not_started", "active")


def create(ledger: Ledger, params: Params) -> dict[str, Any]:
    """``POST /v1/subscription_schedules`` (``from_subscription`` only)."""
    sub_id = text(params, "from_subscription")
    if sub_id is None:
        raise InvalidRequest(
            "The sandbox creates subscription schedules from an existing subscription only: "
            "pass from_subscription.",
            param="from_subscription",
        )
    sub = ledger.get("subscription", sub_id, "from_subscription")
    if sub["status"] in ENDED:
        raise InvalidRequest(
            f"The subscription {sub_id} has been canceled.", param="from_subscription"
        )
    if sub["schedule"]:
        raise InvalidRequest(
            f"You cannot migrate a subscription that is already attached to a schedule: "
            f"`{sub['schedule']}`.",
            param="from_subscription",
        )
    if sub["cancel_at"] is not None:
        raise InvalidRequest(
            "The sandbox cannot build a schedule for a subscription set to cancel.",
            param="from_subscription",
        )
    start, end = period_of(sub)
    schedule = blank(KIND)
    schedule.update(
        id=new_id("sub_sched"),
        created=ledger.now,
        customer=sub["customer"],
        subscription=sub["id"],
        status="active",
    )
    schedule["default_settings"]["default_payment_method"] = sub["default_payment_method"]
    items = [{"price": i["price"]["id"], "quantity": i["quantity"]} for i in sub["items"]["data"]]
    schedule["phases"] = [_phase(ledger, sub["currency"], items, start, end, "create_prorations")]
    _set_current_phase(schedule, ledger.now)
    ledger.put(schedule)
    ledger.emit("subscription_schedule.created", schedule)
    sub["schedule"] = schedule["id"]
    ledger.emit("customer.subscription.updated", sub, {"schedule": None})
    return schedule


def update(ledger: Ledger, schedule_id: str, params: Params) -> dict[str, Any]:
    """``POST /v1/subscription_schedules/{id}``: phases, end_behavior, metadata."""
    schedule = ledger.get(KIND, schedule_id)
    if schedule["status"] not in OPEN:
        raise InvalidRequest(
            f"You cannot update a subscription schedule that is {schedule['status']}."
        )
    behavior = choice(params, "end_behavior", ["release", "cancel"])
    if behavior == "cancel":
        raise InvalidRequest(
            "The sandbox emulates end_behavior=release only.", param="end_behavior"
        )
    if "phases" in params:
        sub = ledger.get("subscription", schedule["subscription"])
        schedule["phases"] = _phases(ledger, schedule, sub, array(params, "phases"))
        _set_current_phase(schedule, ledger.now)
    if "metadata" in params:
        schedule["metadata"] = merge_metadata(schedule["metadata"], params)
    ledger.emit("subscription_schedule.updated", schedule)
    return schedule


def release(ledger: Ledger, schedule_id: str, params: Params) -> dict[str, Any]:
    """``POST /v1/subscription_schedules/{id}/release``: the subscription goes on alone."""
    schedule = ledger.get(KIND, schedule_id)
    if schedule["status"] not in OPEN:
        raise InvalidRequest(
            f"You cannot release a subscription schedule that is currently in the "
            f"`{schedule['status']}` status. It must be in `not_started`, `active`."
        )
    sub = ledger.get("subscription", schedule["subscription"])
    schedule.update(
        status="released",
        released_at=ledger.now,
        released_subscription=sub["id"],
        subscription=None,
        current_phase=None,
    )
    ledger.emit("subscription_schedule.released", schedule)
    sub["schedule"] = None
    ledger.emit("customer.subscription.updated", sub, {"schedule": schedule["id"]})
    return schedule


def list_filter(params: Params) -> Any:
    """``GET /v1/subscription_schedules``: ``customer`` filter."""
    customer = text(params, "customer")
    return lambda s: customer is None or s["customer"] == customer


def next_change(ledger: Ledger, sub: dict[str, Any]) -> dict[str, Any] | None:
    """The phase of ``sub``'s open schedule that starts after its current period, if any."""
    schedule = ledger.state.table(KIND).get(sub["schedule"] or "")
    if schedule is None or schedule["status"] not in OPEN:
        return None
    period_end = period_of(sub)[1]
    upcoming = [p for p in schedule["phases"] if p["start_date"] >= period_end]
    return upcoming[0] if upcoming else None


def enter_phase(ledger: Ledger, sub: dict[str, Any], at: int) -> list[dict[str, Any]]:
    """Apply the phase of ``sub``'s schedule that starts at ``at`` (a renewal).

    Returns the schedules completed by it (their ``completed`` event is for the caller to
    emit after the subscription's ``customer.subscription.updated``).
    """
    schedule = ledger.state.table(KIND).get(sub["schedule"] or "")
    if schedule is None or schedule["status"] not in OPEN:
        return []
    phase = next((p for p in schedule["phases"] if p["start_date"] == at), None)
    if phase is None:
        return []
    old_interval = interval_of(sub["items"]["data"][0]["price"])
    _apply_items(ledger, sub, phase["items"])
    if interval_of(sub["items"]["data"][0]["price"]) != old_interval:
        sub["billing_cycle_anchor"] = at
    if phase is not schedule["phases"][-1]:
        _set_current_phase(schedule, at)
        ledger.emit("subscription_schedule.updated", schedule)
        return []
    schedule.update(status="completed", completed_at=at, current_phase=None)
    sub["schedule"] = None
    return [schedule]


def _apply_items(ledger: Ledger, sub: dict[str, Any], items: list[dict[str, Any]]) -> None:
    current = sub["items"]["data"]
    for index, wanted in enumerate(items):
        price = ledger.get("price", wanted["price"])
        if index < len(current):
            current[index].update(price=dict(price), plan=plan_for(price))
            current[index]["quantity"] = wanted["quantity"]
    del current[len(items) :]


def _phases(
    ledger: Ledger, schedule: dict[str, Any], sub: dict[str, Any], raw_phases: list[Any]
) -> list[dict[str, Any]]:
    if not raw_phases:
        raise InvalidRequest("Missing required param: phases.", param="phases")
    phases: list[dict[str, Any]] = []
    start = schedule["phases"][0]["start_date"]
    for index, raw in enumerate(raw_phases):
        param = f"phases[{index}]"
        if not isinstance(raw, dict):
            raise InvalidRequest("Invalid phases.", param=param)
        items = _items(ledger, raw, param)
        given_start = integer(raw, "start_date", f"{param}[start_date]")
        if index == 0 and given_start not in (None, start):
            raise InvalidRequest(
                "You can not modify the start date of the current phase.",
                param=f"{param}[start_date]",
            )
        if index == 0 and items != _specs(schedule["phases"][0]):
            raise InvalidRequest(
                "The sandbox changes a subscription's items only when the test clock reaches "
                "a new phase; keep the current phase's items.",
                param=f"{param}[items]",
            )
        end = integer(raw, "end_date", f"{param}[end_date]")
        if end is None:
            iterations = integer(raw, "iterations", f"{param}[iterations]") or 1
            price = ledger.get("price", items[0]["price"])
            end = add_interval(start, *_times(interval_of(price), iterations))
        if end <= start:
            raise InvalidRequest(
                "The end_date of a phase must be after its start_date.",
                param=f"{param}[end_date]",
            )
        behavior = (
            choice(
                raw,
                "proration_behavior",
                ["always_invoice", "create_prorations", "none"],
                f"{param}[proration_behavior]",
            )
            or "create_prorations"
        )
        phases.append(_phase(ledger, sub["currency"], items, start, end, behavior))
        start = end
    return phases


def _specs(phase: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"price": i["price"], "quantity": i["quantity"]} for i in phase["items"]]


def _times(interval: tuple[str, int], iterations: int) -> tuple[str, int]:
    return interval[0], interval[1] * iterations


def _items(ledger: Ledger, raw: Params, param: str) -> list[dict[str, Any]]:
    found = []
    for index, item in enumerate(array(raw, "items", f"{param}[items]")):
        label = f"{param}[items][{index}]"
        if not isinstance(item, dict):
            raise InvalidRequest("Invalid items.", param=label)
        price = ledger.get("price", require(item, "price", f"{label}[price]"), f"{label}[price]")
        check_price(price, f"{label}[price]")
        quantity = integer(item, "quantity", f"{label}[quantity]")
        quantity = 1 if quantity is None else check_quantity(quantity, f"{label}[quantity]")
        found.append({"price": price["id"], "quantity": quantity})
    if not found:
        raise InvalidRequest(f"Missing required param: {param}[items].", param=f"{param}[items]")
    return found


def _phase(
    ledger: Ledger,
    currency: str,
    items: list[dict[str, Any]],
    start: int,
    end: int,
    behavior: str,
) -> dict[str, Any]:
    phase = blank("subscription_schedule.phase")
    phase.update(currency=currency, start_date=start, end_date=end, proration_behavior=behavior)
    for wanted in items:
        item = blank("subscription_schedule.phase_item")
        price = ledger.get("price", wanted["price"])
        item.update(price=price["id"], plan=plan_for(price), quantity=wanted["quantity"])
        phase["items"].append(item)
    return phase


def _set_current_phase(schedule: dict[str, Any], now: int) -> None:
    current = next(
        (p for p in schedule["phases"] if p["start_date"] <= now < p["end_date"]),
        schedule["phases"][0],
    )
    schedule["current_phase"] = {
        "start_date": current["start_date"],
        "end_date": current["end_date"],
    }
