"""A proration preview: the sandbox's own update logic run on a throwaway copy of the state.

Nothing is saved and no event leaves the copy. The preview's moment becomes the update's
``proration_date`` so the confirmed change bills exactly what was shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import lifecycle, subscription_updates
from ..ledger import Ledger
from ..store import SandboxStore
from ..subscriptions import item_amount, period_of


@dataclass(frozen=True)
class PreviewLine:
    description: str
    amount: int


@dataclass(frozen=True)
class Preview:
    """What a change costs: ``due_today`` (charged now), ``credit`` (to the balance), the
    lines billed now or added to the next invoice, and the next invoice's amount and date.
    """

    at: int
    currency: str
    due_today: int
    credit: int
    lines: tuple[PreviewLine, ...]
    next_amount: int
    next_date: int


def preview_update(store: SandboxStore, sub_id: str, params: dict[str, Any]) -> Preview:
    """Run ``update_subscription(sub_id, params)`` on a copy and report the money."""
    state = store.snapshot()
    ledger = Ledger(state, store.now(), store.public_base_url)
    lifecycle.process_until(ledger, ledger.now)
    known = set(state.table("invoice"))
    before = list(state.pending_prorations.get(sub_id, []))
    at = ledger.now
    sub = subscription_updates.update(ledger, sub_id, {**params, "proration_date": str(at)})
    invoices = [i for key, i in state.table("invoice").items() if key not in known]
    pending = state.pending_prorations.get(sub_id, [])
    new_pending = pending[len(before) :] if pending[: len(before)] == before else pending
    billed = [line for invoice in invoices for line in invoice["lines"]["data"]]
    lines = [PreviewLine(line["description"], line["amount"]) for line in billed + new_pending]
    total_now = sum(invoice["total"] for invoice in invoices)
    customer = state.table("customer")[sub["customer"]]
    upcoming = sum(line["amount"] for line in pending) + sum(
        item_amount(item) for item in sub["items"]["data"]
    )
    return Preview(
        at=at,
        currency=sub["currency"],
        due_today=sum(invoice["amount_due"] for invoice in invoices),
        credit=max(-total_now, 0),
        lines=tuple(lines),
        next_amount=max(upcoming + customer["balance"], 0),
        next_date=period_of(sub)[1],
    )


def preview_scheduled(
    ledger: Ledger, sub: dict[str, Any], price: dict[str, Any], quantity: int
) -> Preview:
    """A change deferred to the period end: nothing today, the new plan on the next invoice."""
    customer = ledger.get("customer", sub["customer"])
    pending = sum(line["amount"] for line in ledger.state.pending_prorations.get(sub["id"], []))
    upcoming = pending + (price["unit_amount"] or 0) * quantity
    return Preview(
        at=ledger.now,
        currency=sub["currency"],
        due_today=0,
        credit=0,
        lines=(),
        next_amount=max(upcoming + customer["balance"], 0),
        next_date=period_of(sub)[1],
    )
