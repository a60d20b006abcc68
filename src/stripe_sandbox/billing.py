"""Invoices: build lines, create, finalize (hosted page + PDF links), and charge.

An invoice is created as a draft (``invoice.created``), finalized at once
(``invoice.finalized``: number, ``hosted_invoice_url``, ``invoice_pdf``) and charged to the
payment method given: ``invoice.paid`` + ``invoice.payment_succeeded`` when the card
charges (or nothing is due), ``invoice.payment_failed`` otherwise, with a retry planned
three days later (at most four attempts).
"""

from __future__ import annotations

from typing import Any

from . import tax_ids
from .ledger import Ledger
from .objects import blank, new_id
from .params import Params, text
from .payment_methods import can_charge
from .periods import DAY

MAX_ATTEMPTS = 4
RETRY_AFTER = 3 * DAY


def line_spec(
    sub: dict[str, Any],
    item: dict[str, Any],
    amount: int,
    period: tuple[int, int],
    description: str,
    proration: bool = False,
    quantity: int | None = None,
) -> dict[str, Any]:
    """A line to bill (kept as-is in ``pending_prorations`` until invoiced)."""
    return {
        "amount": amount,
        "description": description,
        "period": {"start": period[0], "end": period[1]},
        "quantity": item["quantity"] if quantity is None else quantity,
        "unit_amount": item["price"]["unit_amount"],
        "subscription": sub["id"],
        "subscription_item": item["id"],
        "proration": proration,
    }


def create(
    ledger: Ledger,
    sub: dict[str, Any],
    specs: list[dict[str, Any]],
    reason: str,
) -> dict[str, Any]:
    """A draft invoice for ``sub`` with the given lines (emits ``invoice.created``)."""
    customer = ledger.get("customer", sub["customer"])
    invoice = blank("invoice")
    invoice_id = new_id("in")
    invoice.update(
        id=invoice_id,
        created=ledger.now,
        customer=customer["id"],
        customer_email=customer["email"],
        customer_name=customer["name"],
        customer_phone=customer["phone"],
        customer_address=customer["address"],
        customer_tax_ids=[
            {"type": t["type"], "value": t["value"]}
            for t in tax_ids.of_customer(ledger, customer["id"])
        ],
        currency=sub["currency"],
        billing_reason=reason,
        subscription=sub["id"],
        status="draft",
        auto_advance=True,
    )
    invoice["parent"] = {
        "quote_details": None,
        "subscription_details": {"metadata": dict(sub["metadata"]), "subscription": sub["id"]},
        "type": "subscription_details",
    }
    invoice["lines"].update(
        data=[_line(invoice, s) for s in specs], url=f"/v1/invoices/{invoice_id}/lines"
    )
    starts = [s["period"]["start"] for s in specs] or [ledger.now]
    ends = [s["period"]["end"] for s in specs] or [ledger.now]
    invoice.update(period_start=min(starts), period_end=max(ends))
    total = sum(s["amount"] for s in specs)
    balance = customer["balance"]
    due = max(total + balance, 0)
    invoice.update(
        subtotal=total,
        subtotal_excluding_tax=total,
        total=total,
        total_excluding_tax=total,
        starting_balance=balance,
        amount_due=due,
        amount_remaining=due,
    )
    ledger.put(invoice)
    ledger.emit("invoice.created", invoice)
    return invoice


def _line(invoice: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    line = blank("line_item")
    line.update(
        id=new_id("il"),
        invoice=invoice["id"],
        amount=spec["amount"],
        subtotal=spec["amount"],
        currency=invoice["currency"],
        description=spec["description"],
        period=dict(spec["period"]),
        quantity=spec["quantity"],
        quantity_decimal=str(spec["quantity"]),
        subscription=spec["subscription"],
    )
    line["parent"] = {
        "invoice_item_details": None,
        "subscription_item_details": {
            "invoice_item": None,
            "proration": spec["proration"],
            "proration_details": {"credited_items": None},
            "subscription": spec["subscription"],
            "subscription_item": spec["subscription_item"],
        },
        "type": "subscription_item_details",
    }
    line["pricing"] = {"type": "price_details", "unit_amount_decimal": str(spec["unit_amount"])}
    return line


def finalize(ledger: Ledger, invoice: dict[str, Any]) -> None:
    """Draft -> open: number, hosted page and PDF links, the customer's balance applied."""
    customer = ledger.get("customer", invoice["customer"])
    sequence = customer["next_invoice_sequence"]
    customer["next_invoice_sequence"] = sequence + 1
    ending = min(invoice["total"] + invoice["starting_balance"], 0)
    customer["balance"] = ending
    invoice.update(
        status="open",
        number=f"{customer['invoice_prefix']}-{sequence:04d}",
        hosted_invoice_url=f"{ledger.base_url}/invoices/{invoice['id']}",
        invoice_pdf=f"{ledger.base_url}/invoices/{invoice['id']}/pdf",
        ending_balance=ending,
        effective_at=ledger.now,
    )
    invoice["status_transitions"]["finalized_at"] = ledger.now
    ledger.emit("invoice.finalized", invoice)


def charge(ledger: Ledger, invoice: dict[str, Any], pm_id: str | None) -> bool:
    """Try to collect an open invoice; True when it is now paid."""
    if invoice["status"] != "open":
        return bool(invoice["status"] == "paid")
    if invoice["amount_due"] > 0:
        invoice["attempted"] = True
        invoice["attempt_count"] += 1
    if invoice["amount_due"] == 0 or can_charge(ledger, pm_id):
        invoice.update(
            status="paid",
            amount_paid=invoice["amount_due"],
            amount_remaining=0,
            next_payment_attempt=None,
        )
        invoice["status_transitions"]["paid_at"] = ledger.now
        ledger.emit("invoice.paid", invoice)
        ledger.emit("invoice.payment_succeeded", invoice)
        return True
    retry = invoice["attempt_count"] < MAX_ATTEMPTS
    invoice["next_payment_attempt"] = ledger.now + RETRY_AFTER if retry else None
    ledger.emit("invoice.payment_failed", invoice)
    return False


def void(ledger: Ledger, invoice: dict[str, Any]) -> None:
    """Open -> void (an expired incomplete subscription's first invoice)."""
    invoice.update(status="void", next_payment_attempt=None, amount_remaining=0)
    invoice["status_transitions"]["voided_at"] = ledger.now
    ledger.emit("invoice.voided", invoice)


def invoice_filter(params: Params) -> Any:
    """The predicate for ``GET /v1/invoices`` (customer, subscription, status)."""
    customer = text(params, "customer")
    subscription = text(params, "subscription")
    status = text(params, "status")
    return lambda i: (
        (customer is None or i["customer"] == customer)
        and (subscription is None or i["subscription"] == subscription)
        and (status is None or i["status"] == status)
    )
