"""What the portal lets a customer do, as plain functions of the configuration and objects.

They return Stripe API parameters for the store's operations, or raise
:class:`~stripe_sandbox.portal.context.PortalRefusal` with a message for the customer.

- A plan change meeting one of ``subscription_update.schedule_at_period_end.conditions``
  (``decreasing_item_amount``: the new unit amount x quantity is lower than the old, per
  billing period as shown, so monthly to a discounted yearly price applies now;
  ``shortening_interval``: a shorter billing interval) is scheduled for the period end with
  a subscription schedule instead of applied now (:func:`scheduled_at_period_end`).
- Cancellation reasons, when the configuration enables them, are optional: the customer
  may skip the survey, as in Stripe's portal. A configuration whose metadata has
  ``cancellation_reason_required=true`` makes picking one of its options mandatory (the
  sandbox's own convention: Stripe's configuration has no such switch).
"""

from __future__ import annotations

from typing import Any

from .context import PortalRefusal

UPDATABLE_STATUSES = ("active", "trialing")
DAYS_PER_INTERVAL = {"day": 1.0, "week": 7.0, "month": 365.25 / 12, "year": 365.25}
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
    if sub["schedule"]:
        return "A plan change is already scheduled for the end of the billing period."
    return None


def _days(price: dict[str, Any]) -> float:
    recurring = price["recurring"]
    return DAYS_PER_INTERVAL[recurring["interval"]] * int(recurring["interval_count"])


def scheduled_at_period_end(
    feature: dict[str, Any], item: dict[str, Any], new_price: dict[str, Any], quantity: int
) -> bool:
    """Whether changing ``item`` to ``new_price`` x ``quantity`` waits for the period end."""
    conditions = {c["type"] for c in feature["schedule_at_period_end"]["conditions"]}
    old_price = item["price"]
    if "shortening_interval" in conditions and _days(new_price) < _days(old_price):
        return True
    old_amount = (old_price["unit_amount"] or 0) * item["quantity"]
    new_amount = (new_price["unit_amount"] or 0) * quantity
    return "decreasing_item_amount" in conditions and new_amount < old_amount


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


def reason_required(config: dict[str, Any]) -> bool:
    """Whether the configuration's metadata makes the cancellation survey mandatory."""
    return str((config["metadata"] or {}).get("cancellation_reason_required", "")) == "true"


def cancellation(
    feature: dict[str, Any],
    sub: dict[str, Any],
    reason: str | None,
    comment: str | None,
    required: bool = False,
) -> tuple[bool, dict[str, Any]]:
    """``(immediately, params)`` for cancelling ``sub`` as the configuration says.

    With cancellation reasons enabled, a given reason must be one of the options; none at
    all is accepted unless ``required`` (see :func:`reason_required`).
    """
    if sub["status"] in ("canceled", "incomplete_expired"):
        raise PortalRefusal("This subscription has already ended.")
    if sub["cancel_at_period_end"]:
        raise PortalRefusal("This subscription is already set to cancel.")
    details: dict[str, Any] = {}
    survey = feature["cancellation_reason"]
    if survey["enabled"]:
        if reason is None and required:
            raise PortalRefusal("Please tell us why you are cancelling.")
        if reason is not None and reason not in survey["options"]:
            raise PortalRefusal("Choose one of the reasons listed.")
        if reason is not None:
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


TAX_ID_TYPES = {"eu_vat": "EU VAT number", "gb_vat": "UK VAT number", "us_ein": "US EIN"}
TAX_ID_EXAMPLES = {"eu_vat": "DE123456789", "gb_vat": "GB123456789", "us_ein": "12-3456789"}


def tax_id_params(form: dict[str, Any]) -> dict[str, str]:
    """``type`` and ``value`` for a new tax id from the billing form."""
    kind = str(form.get("tax_id_type", ""))
    value = str(form.get("tax_id_value", "")).strip()
    if kind not in TAX_ID_TYPES:
        raise PortalRefusal("Choose the kind of tax ID.")
    if not value:
        raise PortalRefusal(f"Enter your {TAX_ID_TYPES[kind]}.")
    return {"type": kind, "value": value}


def invalid_tax_id(kind: str) -> PortalRefusal:
    """The customer-facing refusal of a malformed tax id."""
    label = TAX_ID_TYPES.get(kind, "tax ID")
    return PortalRefusal(f"Enter a valid {label}, such as {TAX_ID_EXAMPLES.get(kind, '')}.")
