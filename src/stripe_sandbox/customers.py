"""Customers: create, update (incl. ``invoice_settings[default_payment_method]``), delete, list."""

from __future__ import annotations

from typing import Any

from . import payment_methods, subscriptions, tax_ids
from .errors import InvalidRequest
from .events import changes
from .ledger import Ledger
from .objects import blank, deleted, new_id
from .params import Params, array, mapping, merge_metadata, text

ADDRESS_FIELDS = ("city", "country", "line1", "line2", "postal_code", "state")


def create(ledger: Ledger, params: Params) -> dict[str, Any]:
    """``POST /v1/customers``; ``payment_method`` (id or ``pm_card_*``) is attached."""
    customer = blank("customer")
    customer.update(
        id=new_id("cus", 14),
        created=ledger.now,
        invoice_prefix=new_id("x", 8)[2:].upper(),
    )
    ledger.put(customer)
    aliases: dict[str, str] = {}
    token = text(params, "payment_method")
    if token is not None:
        attached = payment_methods.attach(ledger, token, {"customer": customer["id"]}, quiet=True)
        aliases[token] = attached["id"]
    _apply(ledger, customer, params, aliases)
    ledger.emit("customer.created", customer)
    for pm_id in aliases.values():
        ledger.emit("payment_method.attached", ledger.get("payment_method", pm_id))
    return customer


def update(ledger: Ledger, customer_id: str, params: Params) -> dict[str, Any]:
    """``POST /v1/customers/{id}``; emits ``customer.updated`` with previous attributes."""
    customer = ledger.get("customer", customer_id)
    before = ledger.render(customer)
    _apply(ledger, customer, params, {})
    previous = changes(before, customer)
    if previous:
        ledger.emit("customer.updated", customer, previous)
    return customer


def delete(ledger: Ledger, customer_id: str) -> dict[str, Any]:
    """``DELETE /v1/customers/{id}``: ends the customer's live subscriptions first."""
    customer = ledger.get("customer", customer_id)
    for sub in list(ledger.state.table("subscription").values()):
        if sub["customer"] == customer_id and sub["status"] not in subscriptions.ENDED:
            subscriptions.cancel(ledger, sub["id"], {})
    del ledger.state.table("customer")[customer_id]
    for tax_id in tax_ids.of_customer(ledger, customer_id):
        del ledger.state.table("tax_id")[tax_id["id"]]
    ledger.emit("customer.deleted", customer)
    return deleted("customer", customer_id)


def search_filter(params: Params) -> Any:
    """The predicate for ``GET /v1/customers`` (``email`` filter)."""
    email = text(params, "email")
    return lambda c: email is None or c["email"] == email


def _apply(
    ledger: Ledger, customer: dict[str, Any], params: Params, aliases: dict[str, str]
) -> None:
    for field in ("email", "name", "phone", "description"):
        if field in params:
            customer[field] = text(params, field)
    if "address" in params:
        customer["address"] = _address(params, "address")
    if "shipping" in params:
        shipping = mapping(params, "shipping")
        customer["shipping"] = (
            {
                "address": _address(shipping, "address", "shipping[address]"),
                "name": text(shipping, "name", "shipping[name]"),
                "phone": text(shipping, "phone", "shipping[phone]"),
            }
            if shipping
            else None
        )
    if "preferred_locales" in params:
        customer["preferred_locales"] = [str(v) for v in array(params, "preferred_locales")]
    if "metadata" in params:
        customer["metadata"] = merge_metadata(customer["metadata"], params)
    settings = mapping(params, "invoice_settings")
    if "default_payment_method" in settings:
        pm_id = text(settings, "default_payment_method", "invoice_settings[default_payment_method]")
        pm_id = aliases.get(pm_id, pm_id) if pm_id else None
        if pm_id is not None:
            payment_methods.require_attached(ledger, pm_id, customer["id"])
        customer["invoice_settings"]["default_payment_method"] = pm_id
    if "footer" in settings:
        customer["invoice_settings"]["footer"] = text(settings, "footer")


def _address(params: Params, name: str, label: str | None = None) -> dict[str, Any] | None:
    raw = mapping(params, name, label)
    if not raw:
        return None
    unknown = set(raw) - set(ADDRESS_FIELDS)
    if unknown:
        bad = f"{label or name}[{sorted(unknown)[0]}]"
        raise InvalidRequest(f"Received unknown parameter: {bad}", param=bad)
    return {field: text(raw, field) for field in ADDRESS_FIELDS}
