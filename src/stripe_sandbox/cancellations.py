"""``DELETE /v1/subscriptions/{id}``: end a subscription now, optionally settling up.

``invoice_now=true`` bills the pending prorations on a final invoice at once, and with
``prorate=true`` that invoice also credits the unused part of the current period (a credit
total lands on the customer's balance). Without ``invoice_now`` pending prorations are
dropped (the sandbox keeps no customer-level invoice items).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from . import billing
from .errors import InvalidRequest
from .ledger import Ledger
from .params import Params, boolean
from .subscriptions import (
    ENDED,
    cancellation_details,
    describe,
    end,
    item_amount,
    payment_method_for,
    period_of,
)


def cancel(ledger: Ledger, sub_id: str, params: Params) -> dict[str, Any]:
    """Cancel now (``customer.subscription.deleted``), then bill a final invoice if asked."""
    sub = ledger.get("subscription", sub_id)
    if sub["status"] in ENDED:
        raise InvalidRequest(f"The subscription {sub_id} has already been canceled.")
    lines: list[dict[str, Any]] = []
    if boolean(params, "invoice_now"):
        lines = list(ledger.state.pending_prorations.get(sub_id, []))
        if boolean(params, "prorate") and sub["status"] != "trialing":
            lines += _unused_time(ledger, sub)
    end(ledger, sub, ledger.now, cancellation_details(params), reason="cancellation_requested")
    if lines:
        invoice = billing.create(ledger, sub, lines, "subscription_update")
        billing.finalize(ledger, invoice)
        sub["latest_invoice"] = invoice["id"]
        billing.charge(ledger, invoice, payment_method_for(ledger, sub))
    return sub


def _unused_time(ledger: Ledger, sub: dict[str, Any]) -> list[dict[str, Any]]:
    start, stop = period_of(sub)
    fraction = max(stop - ledger.now, 0) / max(stop - start, 1)
    when = datetime.fromtimestamp(ledger.now, UTC).strftime("%d %b %Y")
    return [
        billing.line_spec(
            sub,
            item,
            -round(item_amount(item) * fraction),
            (ledger.now, stop),
            f"Unused time on {describe(ledger, item)} after {when}",
            proration=True,
        )
        for item in sub["items"]["data"]
    ]
