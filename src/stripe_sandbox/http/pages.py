"""Hosted pages: the invoice page and its PDF (the portal is in :mod:`stripe_sandbox.portal`)."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ..errors import SandboxError
from ..money import format_amount
from ..pdf import text_pdf
from ..store import SandboxStore

_ENV = Environment(
    loader=PackageLoader("stripe_sandbox", "pages"), autoescape=select_autoescape(["html"])
)


def _invoice_view(invoice: dict[str, Any]) -> dict[str, Any]:
    currency = invoice["currency"]
    return {
        "invoice": invoice,
        "lines": [
            {"description": line["description"], "amount": format_amount(line["amount"], currency)}
            for line in invoice["lines"]["data"]
        ],
        "total": format_amount(invoice["total"], currency),
        "due": format_amount(invoice["amount_remaining"], currency),
        "paid": format_amount(invoice["amount_paid"], currency),
    }


def find_invoice(store: SandboxStore, invoice_id: str) -> dict[str, Any] | None:
    """A finalized invoice (drafts have no hosted page), or None."""
    try:
        invoice = store.retrieve("invoice", invoice_id)
    except SandboxError:
        return None
    return invoice if invoice["status"] != "draft" else None


def invoice_html(
    invoice: dict[str, Any],
    business: str,
    token: str = "",
    *,
    notice: str | None = None,
    error: str | None = None,
) -> str:
    """The hosted invoice page; an open invoice gets the pay form (carrying ``token``),
    ``notice``/``error`` is the outcome of the last payment (card fields never echo back)."""
    return _ENV.get_template("invoice.html").render(
        business=business,
        token=token,
        notice=notice,
        error=error,
        **_invoice_view(invoice),
    )


def invoice_pdf(invoice: dict[str, Any], business: str) -> bytes:
    """The invoice as a one-page PDF."""
    view = _invoice_view(invoice)
    lines = [
        business,
        f"Invoice {invoice['number'] or invoice['id']} ({invoice['status']})",
        f"Billed to: {invoice['customer_name'] or invoice['customer_email'] or invoice['customer']}",
        "",
        *[f"{line['description']}    {line['amount']}" for line in view["lines"]],
        "",
        f"Total: {view['total']}    Amount due: {view['due']}",
    ]
    return text_pdf(lines, title=f"Invoice {invoice['number'] or invoice['id']}")
