"""Products and prices (recurring interval and count, usage type, amount, lookup key)."""

from __future__ import annotations

from typing import Any

from .errors import InvalidRequest
from .ledger import Ledger
from .objects import blank, deleted, new_id
from .params import Params, array, boolean, choice, integer, mapping, merge_metadata, require, text

INTERVALS = ("day", "week", "month", "year")


def create_product(ledger: Ledger, params: Params) -> dict[str, Any]:
    """``POST /v1/products``; a caller-chosen ``id`` is allowed, as on Stripe."""
    product = blank("product")
    product_id = text(params, "id") or new_id("prod", 14)
    if product_id in ledger.state.table("product"):
        raise InvalidRequest("Product already exists.", code="resource_already_exists", param="id")
    product.update(id=product_id, created=ledger.now, updated=ledger.now)
    product["name"] = require(params, "name")
    _apply_product(ledger, product, params)
    ledger.put(product)
    ledger.emit("product.created", product)
    return product


def update_product(ledger: Ledger, product_id: str, params: Params) -> dict[str, Any]:
    """``POST /v1/products/{id}``."""
    product = ledger.get("product", product_id)
    if "name" in params:
        product["name"] = require(params, "name")
    _apply_product(ledger, product, params)
    product["updated"] = ledger.now
    ledger.emit("product.updated", product)
    return product


def delete_product(ledger: Ledger, product_id: str) -> dict[str, Any]:
    """``DELETE /v1/products/{id}``: only for products without prices, as on Stripe."""
    product = ledger.get("product", product_id)
    if any(p["product"] == product_id for p in ledger.state.table("price").values()):
        raise InvalidRequest(
            "This product cannot be deleted because it has one or more user-created prices."
        )
    del ledger.state.table("product")[product_id]
    ledger.emit("product.deleted", product)
    return deleted("product", product_id)


def _apply_product(ledger: Ledger, product: dict[str, Any], params: Params) -> None:
    for field in ("description", "unit_label", "statement_descriptor", "url"):
        if field in params:
            product[field] = text(params, field)
    if "active" in params:
        product["active"] = bool(boolean(params, "active"))
    if "default_price" in params:
        price_id = text(params, "default_price")
        if price_id is not None:
            ledger.get("price", price_id, "default_price")
        product["default_price"] = price_id
    if "metadata" in params:
        product["metadata"] = merge_metadata(product["metadata"], params)


def product_filter(params: Params) -> Any:
    """The predicate for ``GET /v1/products`` (``active``, ``ids[]``)."""
    active = boolean(params, "active")
    ids = set(array(params, "ids"))
    return lambda p: (active is None or p["active"] == active) and (not ids or p["id"] in ids)


def create_price(ledger: Ledger, params: Params) -> dict[str, Any]:
    """``POST /v1/prices`` with ``product`` or ``product_data[name]``."""
    price = blank("price")
    price.update(id=new_id("price"), created=ledger.now)
    price["currency"] = str(require(params, "currency")).lower()
    if "product_data" in params:
        product = create_product(ledger, mapping(params, "product_data"))
    else:
        product = ledger.get("product", require(params, "product"), "product")
    price["product"] = product["id"]
    amount = integer(params, "unit_amount")
    if amount is None or amount < 0:
        raise InvalidRequest("Missing required param: unit_amount.", param="unit_amount")
    price.update(unit_amount=amount, unit_amount_decimal=str(amount))
    recurring = mapping(params, "recurring")
    if recurring:
        interval = choice(recurring, "interval", INTERVALS, "recurring[interval]")
        count = integer(recurring, "interval_count", "recurring[interval_count]") or 1
        if interval is None:
            raise InvalidRequest(
                "Missing required param: recurring[interval].", param="recurring[interval]"
            )
        if count < 1 or (interval == "year" and count > 3) or count > 36:
            raise InvalidRequest(
                "The interval count must be positive and at most one year (3 years for "
                "yearly prices).",
                param="recurring[interval_count]",
            )
        usage = choice(recurring, "usage_type", ["licensed", "metered"], "recurring[usage_type]")
        price["recurring"] = {
            "interval": interval,
            "interval_count": count,
            "meter": text(recurring, "meter"),
            "usage_type": usage or "licensed",
            "trial_period_days": integer(recurring, "trial_period_days"),
        }
        price["type"] = "recurring"
    _apply_price(ledger, price, params)
    ledger.put(price)
    ledger.emit("price.created", price)
    return price


def update_price(ledger: Ledger, price_id: str, params: Params) -> dict[str, Any]:
    """``POST /v1/prices/{id}``: active, nickname, lookup_key, metadata."""
    price = ledger.get("price", price_id)
    _apply_price(ledger, price, params)
    ledger.emit("price.updated", price)
    return price


def _apply_price(ledger: Ledger, price: dict[str, Any], params: Params) -> None:
    if "active" in params:
        price["active"] = bool(boolean(params, "active"))
    if "nickname" in params:
        price["nickname"] = text(params, "nickname")
    if "metadata" in params:
        price["metadata"] = merge_metadata(price["metadata"], params)
    if "lookup_key" in params:
        key = text(params, "lookup_key")
        holder = next(
            (
                p
                for p in ledger.state.table("price").values()
                if key is not None and p["lookup_key"] == key and p["id"] != price["id"]
            ),
            None,
        )
        if holder is not None:
            if not boolean(params, "transfer_lookup_key"):
                raise InvalidRequest(
                    f"A price (`{holder['id']}`) already uses that lookup key.",
                    param="lookup_key",
                )
            holder["lookup_key"] = None
        price["lookup_key"] = key


def price_filter(params: Params) -> Any:
    """The predicate for ``GET /v1/prices`` (product, active, type, currency, lookup_keys[])."""
    product = text(params, "product")
    active = boolean(params, "active")
    kind = choice(params, "type", ["one_time", "recurring"])
    currency = text(params, "currency")
    keys = set(array(params, "lookup_keys"))
    if len(keys) > 10:
        raise InvalidRequest("You may pass at most 10 lookup keys.", param="lookup_keys")

    def matches(p: dict[str, Any]) -> bool:
        return (
            (product is None or p["product"] == product)
            and (active is None or p["active"] == active)
            and (kind is None or p["type"] == kind)
            and (currency is None or p["currency"] == currency.lower())
            and (not keys or p["lookup_key"] in keys)
        )

    return matches


def plan_for(price: dict[str, Any]) -> dict[str, Any]:
    """The legacy ``plan`` object Stripe still shows beside a recurring price."""
    plan = blank("plan")
    recurring = price["recurring"] or {}
    plan.update(
        active=price["active"],
        amount=price["unit_amount"],
        amount_decimal=price["unit_amount_decimal"],
        created=price["created"],
        currency=price["currency"],
        id=price["id"],
        interval=recurring.get("interval"),
        interval_count=recurring.get("interval_count"),
        metadata=dict(price["metadata"]),
        meter=recurring.get("meter"),
        nickname=price["nickname"],
        product=price["product"],
        usage_type=recurring.get("usage_type"),
        trial_period_days=recurring.get("trial_period_days"),
    )
    return plan
