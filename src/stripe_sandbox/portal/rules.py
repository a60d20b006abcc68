"""What the portal lets a customer do, as plain functions of the configuration and objects.

They return Stripe API parameters for the store's operations, or raise
:class:`~stripe_sandbox.portal.context.PortalRefusal` with a message for the customer.
"""

from __future__ import annotations

from typing import Any

from .context import PortalRefusal

UPDATABLE_STATUSES = ("active", "trialing")
ADDRESS_FIELDS = ("line1", "line2", "city", "state", "postal_code", "country")


def allowed_price_ids(products: list[dict[str, Any]]) -> list[str]:
    """Every price the configuration offers, in its order."""
    return [str(price) for entry in products for price in entry["prices"]]


def why_not_updatable(sub: dict[str, Any]) -> str | None:
    """Why the portal can't change this subscription's plan, or None if it can."""
    if sub["status"] not in UPDATABLE_STATUSES:
        return "Only active subscriptions can change plan."
    if sub["cancel_at_period_end"] or sub["cancel_at"]:
        return "Renew the subscription before changing its plan."
    if len(sub["items"]["data"]) != 1:
        return "Subscriptions with several products can't be changed here."
    return None


def update_items(
    feature: dict[str, Any],
    offered: list[str],
    sub: dict[str, Any],
    price_id: str | None,
    quantity: int | None,
) -> list[dict[str, Any]]:
    """The ``items`` parameter for a plan or quantity change the configuration allows."""
    reason = why_not_updatable(sub)
    if reason:
        raise PortalRefusal(reason)
    item = sub["items"]["data"][0]
    allowed = feature["default_allowed_updates"]
    new_price = price_id or item["price"]["id"]
    new_quantity = item["quantity"] if quantity is None else quantity
    if new_price != item["price"]["id"] and ("price" not in allowed or new_price not in offered):
        raise PortalRefusal("That plan is not available.")
    if new_quantity != item["quantity"]:
        if "quantity" not in allowed:
            raise PortalRefusal("Changing the quantity is not available.")
        if new_quantity < 1:
            raise PortalRefusal("The quantity must be at least 1.")
    if new_price == item["price"]["id"] and new_quantity == item["quantity"]:
        raise PortalRefusal("Choose a different plan or quantity.")
    return [{"id": item["id"], "price": new_price, "quantity": str(new_quantity)}]


def cancellation(
    feature: dict[str, Any], sub: dict[str, Any], reason: str | None, comment: str | None
) -> tuple[bool, dict[str, Any]]:
    """``(immediately, params)`` for cancelling ``sub`` as the configuration says.

    When the configuration enables cancellation reasons, the customer must pick one of its
    options (Stripe's configuration has no separate "required" switch).
    """
    if sub["status"] in ("canceled", "incomplete_expired"):
        raise PortalRefusal("This subscription has already ended.")
    if sub["cancel_at_period_end"]:
        raise PortalRefusal("This subscription is already set to cancel.")
    details: dict[str, Any] = {}
    survey = feature["cancellation_reason"]
    if survey["enabled"]:
        if reason not in survey["options"]:
            raise PortalRefusal("Please tell us why you are cancelling.")
        details["feedback"] = reason
    if comment:
        details["comment"] = comment[:500]
    params: dict[str, Any] = {"cancellation_details": details} if details else {}
    if feature["mode"] == "immediately":
        if feature["proration_behavior"] == "create_prorations":
            params.update(prorate="true", invoice_now="true")
        return True, params
    params["cancel_at_period_end"] = "true"
    return False, params


def billing_params(allowed: list[str], form: dict[str, Any]) -> dict[str, Any]:
    """Customer update parameters from the form, for the allowed fields only."""
    params: dict[str, Any] = {}
    for field in ("email", "name", "phone"):
        if field in allowed and field in form:
            params[field] = str(form[field]).strip()
    if "email" in params and params["email"] and "@" not in params["email"]:
        raise PortalRefusal("Enter a valid email address.")
    if "address" in allowed:
        params["address"] = _address(form, "address")
    if "shipping" in allowed:
        address = _address(form, "shipping")
        name = str(form.get("shipping_name", "")).strip()
        params["shipping"] = {"name": name, "address": address} if name else ""
    return params


def _address(form: dict[str, Any], prefix: str) -> dict[str, str]:
    return {f: str(form.get(f"{prefix}_{f}", "")).strip() for f in ADDRESS_FIELDS}
