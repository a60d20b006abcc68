"""A customer's tax ids: ``/v1/customers/{id}/tax_ids`` (create, list, retrieve, delete).

Stripe emits ``customer.tax_id.created`` and ``customer.tax_id.deleted`` (the customer
object itself does not change, so no ``customer.updated``). Values get Stripe's basic
format checks for ``eu_vat`` (an EU country prefix, ``EL`` for Greece and ``XI`` for
Northern Ireland, then 2-12 letters or digits), ``gb_vat`` (``GB`` and 9 or 12 digits)
and ``us_ein`` (``12-3456789``); other types only need a value. VAT numbers are left
``pending`` verification (Stripe checks them asynchronously); EINs are ``unavailable``.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import InvalidRequest, ResourceMissing
from .ledger import Ledger
from .objects import blank, deleted, new_id
from .params import Params, choice, require

MAX_PER_CUSTOMER = 25
EU_COUNTRIES = "AT BE BG CY CZ DE DK EE ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"
EU_PREFIXES = {**{c: c for c in EU_COUNTRIES.split(" ")}, "EL": "GR", "XI": "GB"}
FORMATS = {
    "eu_vat": re.compile("^(" + "|".join(EU_PREFIXES) + ")[0-9A-Z]{2,12}$"),
    "gb_vat": re.compile(r"^GB(\d{9}|\d{12})$"),
    "us_ein": re.compile(r"^\d{2}-\d{7}$"),
}
COUNTRIES = {"gb_vat": "GB", "us_ein": "US", "ca_bn": "CA", "au_abn": "AU", "ch_vat": "CH"}
TYPES = ("eu_vat", "gb_vat", "us_ein", "ca_bn", "au_abn", "ch_vat", "no_vat", "nz_gst")


def normalize(kind: str, value: str) -> str:
    """The value as Stripe stores it: VAT numbers in capitals without separators, EINs
    as ``12-3456789``."""
    compact = re.sub(r"[\s.\-]", "", value).upper()
    if kind == "us_ein" and compact.isdigit() and len(compact) == 9:
        return f"{compact[:2]}-{compact[2:]}"
    return compact if kind in ("eu_vat", "gb_vat") else value.strip()


def create(ledger: Ledger, customer_id: str, params: Params) -> dict[str, Any]:
    """``POST /v1/customers/{id}/tax_ids`` (``type``, ``value``)."""
    customer = ledger.get("customer", customer_id)
    kind = choice(params, "type", TYPES) or require(params, "type")
    value = normalize(kind, str(require(params, "value")))
    pattern = FORMATS.get(kind)
    if (pattern is not None and not pattern.match(value)) or not value:
        raise InvalidRequest(f"Invalid value for {kind}.", code="tax_id_invalid", param="value")
    owned = [t for t in ledger.state.table("tax_id").values() if t["customer"] == customer_id]
    if len(owned) >= MAX_PER_CUSTOMER:
        raise InvalidRequest(
            f"A customer can have at most {MAX_PER_CUSTOMER} tax ids.", code="tax_id_max_exceeded"
        )
    tax_id = blank("tax_id")
    tax_id.update(
        id=new_id("txi"),
        created=ledger.now,
        customer=customer["id"],
        type=kind,
        value=value,
        country=EU_PREFIXES.get(value[:2]) if kind == "eu_vat" else COUNTRIES.get(kind),
    )
    tax_id["owner"]["customer"] = customer["id"]
    tax_id["verification"]["status"] = "pending" if kind.endswith("_vat") else "unavailable"
    ledger.put(tax_id)
    ledger.emit("customer.tax_id.created", tax_id)
    return tax_id


def find(ledger: Ledger, customer_id: str, tax_id: str) -> dict[str, Any]:
    """The customer's tax id (404 for another customer's)."""
    ledger.get("customer", customer_id)
    found = ledger.state.table("tax_id").get(tax_id)
    if found is None or found["customer"] != customer_id:
        raise ResourceMissing("tax_id", tax_id)
    return found


def delete(ledger: Ledger, customer_id: str, tax_id: str) -> dict[str, Any]:
    """``DELETE /v1/customers/{id}/tax_ids/{tax_id}``."""
    found = find(ledger, customer_id, tax_id)
    del ledger.state.table("tax_id")[tax_id]
    ledger.emit("customer.tax_id.deleted", found)
    return deleted("tax_id", tax_id)


def of_customer(ledger: Ledger, customer_id: str) -> list[dict[str, Any]]:
    """The customer's tax ids, oldest first."""
    return [t for t in ledger.state.table("tax_id").values() if t["customer"] == customer_id]
