"""What happens as time passes: renewals (entering a subscription schedule's next phase),
trial-end warnings and trial ends, scheduled cancellations, expiries, payment retries.

:func:`process_until` runs every action that falls due up to a moment, oldest first, each
at its own due time (so events carry the time they would have happened on Stripe).
:func:`pay` is ``POST /v1/invoices/{id}/pay``; it, the retries, the hosted invoice page and
the portal's new-default-card payments all collect through :func:`settle`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

from . import billing, payment_methods, subscription_schedules
from .errors import CardDeclined, InvalidRequest
from .events import changes
from .ledger import Ledger
from .params import Params, text
from .periods import DAY, next_period_end
from .subscriptions import describe, end, interval_of, item_amount, payment_method_for, period_of

INCOMPLETE_EXPIRES_AFTER = DAY - 3600  # Stripe: 23 hours
TRIAL_WARNING = 3 * DAY  # customer.subscription.trial_will_end, three days ahead
LIVE = ("active", "past_due", "trialing", "unpaid")
Action = tuple[int, str, Callable[[Ledger], None]]


def process_until(ledger: Ledger, target: int) -> int:
    """Run all actions due at or before ``target``, each at its due time; returns the count.

    ``ledger.now`` is restored afterwards.
    """
    return catch_up(ledger, target)[0]


def catch_up(ledger: Ledger, target: int) -> tuple[int, float]:
    """:func:`process_until`, also returning when the next action falls due (``inf``: none).

    That moment holds until the state changes, so a caller may skip the scan of every
    subscription and invoice for any earlier moment (a read at 10,000 customers spent
    40 ms here).
    """
    ran, moment = 0, ledger.now
    while ran < 100_000:
        actions = _due_actions(ledger)
        due = [a for a in actions if a[0] <= target]
        if not due:
            ledger.now = moment
            return ran, min((a[0] for a in actions), default=math.inf)
        at, _, action = min(due, key=lambda a: (a[0], a[1]))
        ledger.now = at
        action(ledger)
        ran += 1
    raise RuntimeError("the test clock made no progress")  # pragma: no cover


def _due_actions(ledger: Ledger) -> list[Action]:
    actions: list[Action] = []
    for sub in ledger.state.table("subscription").values():
        status, sub_id = sub["status"], sub["id"]
        if status in LIVE:
            period_end = period_of(sub)[1]
            if sub["cancel_at"] is not None and sub["cancel_at"] <= period_end:
                actions.append((sub["cancel_at"], sub_id, partial(_scheduled_end, sub=sub)))
            else:
                actions.append((period_end, sub_id, partial(_next_period, sub=sub)))
            warning = _trial_warning_due(ledger, sub)
            if warning is not None:
                actions.append((warning, sub_id, partial(_warn_trial_end, sub=sub)))
        elif status == "incomplete":
            due = sub["created"] + INCOMPLETE_EXPIRES_AFTER
            actions.append((due, sub_id, partial(_expire, sub=sub)))
    for invoice in ledger.state.table("invoice").values():
        retry_at = invoice["next_payment_attempt"]
        if invoice["status"] == "open" and retry_at is not None:
            actions.append((retry_at, invoice["id"], partial(_retry, invoice=invoice)))
    return actions


def _trial_warning_due(ledger: Ledger, sub: dict[str, Any]) -> int | None:
    """When ``trial_will_end`` is due (at once for trials shorter than three days)."""
    trial_end = sub["trial_end"]
    if sub["status"] != "trialing" or trial_end is None:
        return None
    if ledger.state.trial_warnings.get(sub["id"]) == trial_end:
        return None
    return max(int(trial_end) - TRIAL_WARNING, int(sub["trial_start"] or sub["created"]))


def _warn_trial_end(ledger: Ledger, sub: dict[str, Any]) -> None:
    ledger.state.trial_warnings[sub["id"]] = sub["trial_end"]
    ledger.emit("customer.subscription.trial_will_end", sub)


def _scheduled_end(ledger: Ledger, sub: dict[str, Any]) -> None:
    end(ledger, sub, sub["cancel_at"], {}, reason="cancellation_requested")


def _next_period(ledger: Ledger, sub: dict[str, Any]) -> None:
    """A renewal, or the end of a trial: new period, invoice, charge."""
    before = ledger.render(sub)
    start = period_of(sub)[1]
    completed = subscription_schedules.enter_phase(ledger, sub, start)
    first_price = sub["items"]["data"][0]["price"]
    stop = next_period_end(sub["billing_cycle_anchor"], start, *interval_of(first_price))
    for item in sub["items"]["data"]:
        item.update(current_period_start=start, current_period_end=stop)
    pending = ledger.state.pending_prorations.pop(sub["id"], [])
    lines = pending + [
        billing.line_spec(sub, item, item_amount(item), (start, stop), describe(ledger, item))
        for item in sub["items"]["data"]
    ]
    invoice = billing.create(ledger, sub, lines, "subscription_cycle")
    billing.finalize(ledger, invoice)
    sub["latest_invoice"] = invoice["id"]
    paid = billing.charge(ledger, invoice, payment_method_for(ledger, sub))
    if paid and sub["status"] in ("trialing", "active"):
        sub["status"] = "active"
    elif not paid:
        sub["status"] = "past_due"
    _settle_status(ledger, sub)
    ledger.emit("customer.subscription.updated", sub, changes(before, ledger.render(sub)))
    for schedule in completed:
        ledger.emit("subscription_schedule.completed", schedule)


def _expire(ledger: Ledger, sub: dict[str, Any]) -> None:
    invoice = ledger.state.table("invoice").get(sub["latest_invoice"] or "")
    if invoice is not None and invoice["status"] == "open":
        billing.void(ledger, invoice)
    sub.update(status="incomplete_expired", ended_at=ledger.now)
    ledger.emit("customer.subscription.deleted", sub)


def _retry(ledger: Ledger, invoice: dict[str, Any]) -> None:
    sub = ledger.state.table("subscription").get(invoice["subscription"] or "")
    pm_id = payment_method_for(ledger, sub) if sub else None
    settle(ledger, invoice, pm_id)


def settle(
    ledger: Ledger,
    invoice: dict[str, Any],
    pm_id: str | None,
    before: dict[str, Any] | None = None,
) -> bool:
    """Charge an open invoice to ``pm_id``; True when it is now paid.

    A payment brings its subscription back (past_due/unpaid/incomplete -> active once no
    invoice of it is left open), with ``customer.subscription.updated``. ``before`` is the
    subscription as rendered before the caller changed it in the same step (its
    ``previous_attributes`` then include those changes too).
    """
    sub = ledger.state.table("subscription").get(invoice["subscription"] or "")
    if sub is not None and before is None:
        before = ledger.render(sub)
    paid = billing.charge(ledger, invoice, pm_id)
    if sub is not None and before is not None:
        if paid:
            _settle_status(ledger, sub)
        previous = changes(before, ledger.render(sub))
        if previous:
            ledger.emit("customer.subscription.updated", sub, previous)
    return paid


def _settle_status(ledger: Ledger, sub: dict[str, Any]) -> None:
    """past_due/unpaid/incomplete -> active once no invoice of the subscription is open."""
    if sub["status"] not in ("past_due", "unpaid", "incomplete"):
        return
    open_invoices = [
        i
        for i in ledger.state.table("invoice").values()
        if i["subscription"] == sub["id"] and i["status"] == "open"
    ]
    if not open_invoices:
        sub["status"] = "active"


def pay(ledger: Ledger, invoice_id: str, params: Params) -> dict[str, Any]:
    """``POST /v1/invoices/{id}/pay``: charge now; a decline is recorded, then reported (402)."""
    invoice = payable(ledger, invoice_id)
    sub = ledger.state.table("subscription").get(invoice["subscription"] or "")
    pm_id = text(params, "payment_method")
    if pm_id is not None:
        payment_methods.require_attached(ledger, pm_id, invoice["customer"])
    elif sub is not None:
        pm_id = payment_method_for(ledger, sub)
    if not settle(ledger, invoice, pm_id):
        ledger.error_after_commit = CardDeclined("Your card was declined.")
    return invoice


def payable(ledger: Ledger, invoice_id: str) -> dict[str, Any]:
    """The open invoice ``invoice_id`` (Stripe's 400 when it is paid, void or a draft)."""
    invoice = ledger.get("invoice", invoice_id)
    if invoice["status"] == "paid":
        raise InvalidRequest("Invoice is already paid.", code="invoice_already_paid")
    if invoice["status"] != "open":
        raise InvalidRequest(
            f"You cannot pay an invoice with status {invoice['status']}.", code="invoice_not_open"
        )
    return invoice
