"""Card payment methods from Stripe's test numbers: create, attach, detach, list.

Attaching a card whose test number is declined raises a 402 ``card_error``; cards that
attach but fail to charge are remembered in ``state.card_outcomes`` for :func:`charge`.
"""

from __future__ import annotations

from typing import Any

from .cards import DECLINE_MESSAGES, TEST_CARDS, TOKENS, fingerprint, luhn_valid
from .errors import CardDeclined, InvalidRequest
from .ledger import Ledger
from .objects import blank, new_id
from .params import Params, choice, integer, mapping, merge_metadata, require, text
from .state import State

BILLING_FIELDS = ("email", "name", "phone")


def create(ledger: Ledger, params: Params) -> dict[str, Any]:
    """``POST /v1/payment_methods`` with ``type=card`` and ``card[number]`` (or a token)."""
    choice(params, "type", ["card"])
    require(params, "type")
    card = mapping(params, "card")
    number = text(card, "number", "card[number]") or TOKENS.get(str(card.get("token", "")))
    if number is None:
        raise InvalidRequest("Missing required param: card[number].", param="card[number]")
    return _build(ledger, number.replace(" ", ""), card, params)


def _build(ledger: Ledger, number: str, card: Params, params: Params) -> dict[str, Any]:
    if not luhn_valid(number):
        raise CardDeclined("Your card number is incorrect.", code="incorrect_number")
    test_card = TEST_CARDS.get(number)
    if test_card is None:
        raise CardDeclined(
            "Your card was declined. Your request was in test mode, but used a non test "
            "(live) card. For a list of valid test cards, visit: "
            "https://stripe.com/docs/testing."
        )
    year = integer(card, "exp_year", "card[exp_year]") or 2034
    month = integer(card, "exp_month", "card[exp_month]") or 12
    if not 1 <= month <= 12:
        raise CardDeclined("Your card's expiration month is invalid.", code="invalid_expiry_month")
    if year < 100:
        year += 2000
    pm = blank("payment_method")
    pm.update(id=new_id("pm"), created=ledger.now, type="card")
    pm["card"].update(
        brand=test_card.brand,
        display_brand=test_card.brand,
        last4=number[-4:],
        exp_month=month,
        exp_year=year,
        fingerprint=fingerprint(number),
        funding=test_card.funding,
    )
    pm["card"]["networks"] = {"available": [test_card.brand], "preferred": None}
    if text(card, "cvc", "card[cvc]"):
        pm["card"]["checks"]["cvc_check"] = "pass"
    details = mapping(params, "billing_details")
    for field in BILLING_FIELDS:
        if field in details:
            pm["billing_details"][field] = text(details, field)
    pm["metadata"] = merge_metadata({}, params)
    ledger.state.card_outcomes[pm["id"]] = test_card.outcome
    ledger.state.card_outcomes[pm["id"] + ":decline_code"] = test_card.decline_code
    return ledger.put(pm)


def resolve(ledger: Ledger, pm_id: str) -> dict[str, Any]:
    """A stored payment method, creating one on the fly for a ``pm_card_*`` token."""
    if pm_id in TOKENS:
        return _build(ledger, TOKENS[pm_id], {}, {})
    return ledger.get("payment_method", pm_id)


def attach(ledger: Ledger, pm_id: str, params: Params, quiet: bool = False) -> dict[str, Any]:
    """``POST /v1/payment_methods/{id}/attach``; declined test cards raise a 402."""
    customer_id = require(params, "customer")
    ledger.get("customer", customer_id, "customer")
    pm = resolve(ledger, pm_id)
    if pm["customer"] not in (None, customer_id):
        raise InvalidRequest(
            "The payment method you provided has already been attached to a customer.",
            code="payment_method_unexpected_state",
        )
    if ledger.state.card_outcomes.get(pm["id"]) == "attach_declined":
        code = ledger.state.card_outcomes.get(pm["id"] + ":decline_code", "generic_decline")
        raise CardDeclined(DECLINE_MESSAGES.get(code, "Your card was declined."), decline_code=code)
    if pm["customer"] is None:
        pm["customer"] = customer_id
        if not quiet:
            ledger.emit("payment_method.attached", pm)
    return pm


def detach(ledger: Ledger, pm_id: str) -> dict[str, Any]:
    """``POST /v1/payment_methods/{id}/detach``; clears it as the customer's default."""
    pm = ledger.get("payment_method", pm_id)
    customer_id = pm["customer"]
    if customer_id is None:
        raise InvalidRequest(
            "The payment method you provided is not attached to a customer so detachment "
            "is impossible.",
            code="payment_method_unexpected_state",
        )
    pm["customer"] = None
    ledger.emit("payment_method.detached", pm, {"customer": customer_id})
    customer = ledger.state.table("customer").get(customer_id)
    if customer and customer["invoice_settings"]["default_payment_method"] == pm_id:
        before = {"invoice_settings": dict(customer["invoice_settings"])}
        customer["invoice_settings"]["default_payment_method"] = None
        ledger.emit("customer.updated", customer, before)
    return pm


def update(ledger: Ledger, pm_id: str, params: Params) -> dict[str, Any]:
    """``POST /v1/payment_methods/{id}``: billing details, expiry and metadata."""
    pm = ledger.get("payment_method", pm_id)
    details = mapping(params, "billing_details")
    for field in BILLING_FIELDS:
        if field in details:
            pm["billing_details"][field] = text(details, field)
    card = mapping(params, "card")
    for field in ("exp_month", "exp_year"):
        if field in card:
            pm["card"][field] = integer(card, field, f"card[{field}]")
    if "metadata" in params:
        pm["metadata"] = merge_metadata(pm["metadata"], params)
    if pm["customer"]:
        ledger.emit("payment_method.updated", pm)
    return pm


def require_attached(ledger: Ledger, pm_id: str, customer_id: str) -> dict[str, Any]:
    """The payment method, which must belong to ``customer_id`` (Stripe's 400 otherwise)."""
    pm = ledger.get("payment_method", pm_id)
    if pm["customer"] != customer_id:
        raise InvalidRequest(
            f"The customer does not have a payment method with the ID {pm_id}. The payment "
            "method must be attached to the customer.",
            param="default_payment_method",
        )
    return pm


def list_filter(params: Params) -> Any:
    """The predicate for ``GET /v1/payment_methods?customer=...&type=card``."""
    customer_id = require(params, "customer")
    kind = text(params, "type")
    return lambda pm: pm["customer"] == customer_id and kind in (None, pm["type"])


def by_customer(state: State) -> dict[str, list[dict[str, Any]]]:
    """Each customer's attached payment methods, in the order they were created."""
    owned: dict[str, list[dict[str, Any]]] = {}
    for pm in state.table("payment_method").values():
        if pm["customer"] is not None:
            owned.setdefault(pm["customer"], []).append(pm)
    return owned


def can_charge(ledger: Ledger, pm_id: str | None) -> bool:
    """Whether a charge on this payment method succeeds."""
    return pm_id is not None and ledger.state.card_outcomes.get(pm_id) == "ok"
