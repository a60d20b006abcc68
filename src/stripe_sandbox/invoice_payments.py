"""Paying open invoices outside the API: the hosted invoice page and the portal's new card.

- The hosted invoice page (``hosted_invoice_url``) takes a card and pays the invoice: the
  card is attached to the customer (and becomes the customer's default when it has none,
  else the subscription's when that has none of its own), the invoice is paid and an
  ``incomplete`` or ``past_due`` subscription becomes ``active``. A declined card changes
  nothing. Its form carries a per-invoice token (an HMAC of the invoice id under a secret
  kept in the state, so it survives restarts and dies with a reset).
- The hosted portal, when a customer adds a card or makes one the default, tries the open
  invoices of their ``past_due``/``unpaid`` subscriptions (or whose latest invoice is open)
  with it, as Stripe's portal does. Plain API updates of the default never do this.

Both collect through :func:`stripe_sandbox.lifecycle.settle`, like ``/v1/invoices/{id}/pay``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from . import customers, lifecycle, payment_methods
from .cards import DECLINE_MESSAGES
from .errors import CardDeclined
from .ledger import Ledger
from .params import Params
from .subscriptions import ENDED

COLLECTABLE = ("past_due", "unpaid")


class FormExpired(Exception):
    """A pay form whose token was not issued for this invoice (403; nothing changes)."""


def page_token(ledger: Ledger, invoice_id: str) -> str:
    """The token the invoice page's pay form carries (the secret is made on first use)."""
    if not ledger.state.page_secret:
        ledger.state.page_secret = secrets.token_urlsafe(32)
    key = ledger.state.page_secret.encode()
    return hmac.new(key, f"invoice-page:{invoice_id}".encode(), hashlib.sha256).hexdigest()


def check_token(ledger: Ledger, invoice_id: str, token: object) -> None:
    """Raise :class:`FormExpired` unless ``token`` is this invoice's."""
    valid = isinstance(token, str) and bool(ledger.state.page_secret)
    if not valid or not hmac.compare_digest(str(token), page_token(ledger, invoice_id)):
        raise FormExpired(invoice_id)


def pay_with_card(ledger: Ledger, invoice_id: str, card: Params) -> dict[str, Any]:
    """Pay the open invoice with a new card (``card[number]``, expiry, CVC).

    Raises :class:`CardDeclined` (402) before anything is recorded when the card would be
    declined; the caller's transaction then rolls the new payment method back too.
    """
    invoice = lifecycle.payable(ledger, invoice_id)
    pm_id = payment_methods.create(ledger, {"type": "card", "card": card})["id"]
    if invoice["amount_due"] > 0 and not payment_methods.can_charge(ledger, pm_id):
        code = ledger.state.card_outcomes.get(pm_id + ":decline_code", "generic_decline")
        message = DECLINE_MESSAGES.get(code, "Your card was declined.")
        raise CardDeclined(message, decline_code=code)
    customer_id = invoice["customer"]
    payment_methods.attach(ledger, pm_id, {"customer": customer_id})
    customer = ledger.get("customer", customer_id)
    if customer["invoice_settings"]["default_payment_method"] is None:
        settings = {"invoice_settings": {"default_payment_method": pm_id}}
        customers.update(ledger, customer_id, settings)
    sub = ledger.state.table("subscription").get(invoice["subscription"] or "")
    before = ledger.render(sub) if sub is not None else None
    inherits_other = customer["invoice_settings"]["default_payment_method"] != pm_id
    if sub is not None and sub["default_payment_method"] is None and inherits_other:
        # Renewals should charge the card that paid, not the customer's default that failed.
        sub["default_payment_method"] = pm_id
    lifecycle.settle(ledger, invoice, pm_id, before)
    return invoice


def retry_open_invoices(ledger: Ledger, customer_id: str, pm_id: str) -> list[dict[str, Any]]:
    """Charge ``pm_id`` for the open invoices of the customer's subscriptions that are
    ``past_due``/``unpaid`` or whose latest invoice is open, oldest first; stops at the
    first decline. Returns the invoices attempted (paid or not)."""
    invoices = ledger.state.table("invoice")
    attempted: list[dict[str, Any]] = []
    for sub in list(ledger.state.table("subscription").values()):
        if sub["customer"] != customer_id or sub["status"] in ENDED:
            continue
        latest = invoices.get(sub["latest_invoice"] or "")
        latest_open = latest is not None and latest["status"] == "open"
        if sub["status"] not in COLLECTABLE and not latest_open:
            continue
        due = [i for i in invoices.values() if i["subscription"] == sub["id"]]
        for invoice in sorted(due, key=lambda i: i["created"]):
            if invoice["status"] != "open":
                continue
            attempted.append(invoice)
            if not lifecycle.settle(ledger, invoice, pm_id):
                return attempted
    return attempted
