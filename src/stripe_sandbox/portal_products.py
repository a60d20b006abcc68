"""The ``subscription_update`` feature of a portal configuration and its product list.

Rules (Stripe's): at most 10 products, no product twice, each with at least one active
recurring, licensed price of that product, and at most one price per interval per
currency; enabling the feature needs products and ``default_allowed_updates``.
"""

from __future__ import annotations

from typing import Any

from .errors import InvalidRequest
from .ledger import Ledger
from .params import Params, array, boolean, choice, mapping, require

MAX_PRODUCTS = 10
P = "features[subscription_update]"


def subscription_update(ledger: Ledger, config: dict[str, Any], features: Params) -> None:
    """Apply and validate ``features[subscription_update]`` onto ``config``."""
    raw = mapping(features, "subscription_update", P)
    target = config["features"]["subscription_update"]
    if "enabled" in raw:
        target["enabled"] = bool(boolean(raw, "enabled", f"{P}[enabled]"))
    if "default_allowed_updates" in raw:
        allowed = [str(v) for v in array(raw, "default_allowed_updates")]
        for value in allowed:
            if value not in ("price", "promotion_code", "quantity"):
                raise InvalidRequest(
                    f"Invalid {P}[default_allowed_updates]: must be one of `price`, "
                    "`promotion_code`, `quantity`",
                    param=f"{P}[default_allowed_updates]",
                )
        target["default_allowed_updates"] = allowed
    behavior = choice(
        raw,
        "proration_behavior",
        ["always_invoice", "create_prorations", "none"],
        f"{P}[proration_behavior]",
    )
    target["proration_behavior"] = behavior or target["proration_behavior"]
    trial = choice(
        raw, "trial_update_behavior", ["continue_trial", "end_trial"], f"{P}[trial_update_behavior]"
    )
    target["trial_update_behavior"] = trial or target["trial_update_behavior"]
    anchor = choice(raw, "billing_cycle_anchor", ["now", "unchanged"], f"{P}[billing_cycle_anchor]")
    if anchor is not None:
        target["billing_cycle_anchor"] = anchor
    schedule = mapping(raw, "schedule_at_period_end", f"{P}[schedule_at_period_end]")
    if "conditions" in schedule:
        target["schedule_at_period_end"] = {"conditions": _conditions(schedule)}
    if "products" in raw:
        ledger.state.portal_products[config["id"]] = _products(ledger, raw)
    products = ledger.state.portal_products.get(config["id"], [])
    if target["enabled"] and not products:
        raise InvalidRequest(
            "You must specify at least one product when subscription updates are enabled.",
            param=f"{P}[products]",
        )
    if target["enabled"] and not target["default_allowed_updates"]:
        raise InvalidRequest(
            "You must specify at least one default allowed update when subscription updates "
            "are enabled.",
            param=f"{P}[default_allowed_updates]",
        )


def _conditions(schedule: Params) -> list[dict[str, str]]:
    result = []
    for index, raw in enumerate(array(schedule, "conditions")):
        param = f"{P}[schedule_at_period_end][conditions][{index}][type]"
        kind = choice(raw, "type", ["decreasing_item_amount", "shortening_interval"], param)
        result.append({"type": require(raw, "type", param) if kind is None else kind})
    return result


def _products(ledger: Ledger, raw: Params) -> list[dict[str, Any]]:
    products = array(raw, "products", f"{P}[products]")
    if len(products) > MAX_PRODUCTS:
        raise InvalidRequest(
            f"You can specify up to {MAX_PRODUCTS} products.", param=f"{P}[products]"
        )
    seen: set[str] = set()
    result = []
    for index, entry in enumerate(products):
        param = f"{P}[products][{index}]"
        if not isinstance(entry, dict):
            raise InvalidRequest("Invalid products.", param=param)
        product = ledger.get(
            "product", require(entry, "product", f"{param}[product]"), f"{param}[product]"
        )
        if product["id"] in seen:
            raise InvalidRequest(
                f"Product {product['id']} is listed more than once.", param=f"{param}[product]"
            )
        seen.add(product["id"])
        prices = [str(p) for p in array(entry, "prices", f"{param}[prices]")]
        if not prices:
            raise InvalidRequest(
                f"Missing required param: {param}[prices].", param=f"{param}[prices]"
            )
        _check_prices(ledger, product["id"], prices, f"{param}[prices]")
        result.append({"prices": prices, "product": product["id"]})
    return result


def _check_prices(ledger: Ledger, product_id: str, price_ids: list[str], param: str) -> None:
    intervals: set[tuple[str, int, str]] = set()
    for price_id in price_ids:
        price = ledger.get("price", price_id, param)
        if price["product"] != product_id:
            raise InvalidRequest(
                f"The price `{price_id}` does not belong to product `{product_id}`.", param=param
            )
        recurring = price["recurring"]
        if not price["active"] or recurring is None:
            raise InvalidRequest(
                f"The price `{price_id}` must be an active recurring price.", param=param
            )
        if recurring["usage_type"] != "licensed":
            raise InvalidRequest(
                f"The price `{price_id}` is metered; the portal only supports licensed prices.",
                param=param,
            )
        key = (recurring["interval"], recurring["interval_count"], price["currency"])
        if key in intervals:
            raise InvalidRequest(
                f"Product `{product_id}` has more than one price for the same interval and "
                "currency.",
                param=param,
            )
        intervals.add(key)
