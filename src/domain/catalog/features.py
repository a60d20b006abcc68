"""Reading and validating the ``features`` of one configuration against Stripe's rules."""

from __future__ import annotations

from collections.abc import Mapping

from domain.catalog.model import (
    CANCEL_MODES,
    CANCELLATION_REASONS,
    CUSTOMER_UPDATE_FIELDS,
    MAX_LOOKUP_KEY_LENGTH,
    MAX_PRODUCTS,
    PRORATION_BEHAVIORS,
    SCHEDULE_CONDITIONS,
    SUBSCRIPTION_UPDATES,
    CancellationReason,
    CustomerUpdate,
    Features,
    InvoiceHistory,
    PaymentMethodUpdate,
    ProductPrices,
    SubscriptionCancel,
    SubscriptionUpdate,
)
from domain.catalog.reader import FieldReader

Data = Mapping[str, object]
_FEATURES = (
    "customer_update",
    "invoice_history",
    "payment_method_update",
    "subscription_cancel",
    "subscription_update",
)


def read_features(r: FieldReader, data: Data) -> Features:
    r.known_keys(data, _FEATURES, "features.")
    p = "features."
    invoice = r.table(data, "invoice_history", p + "invoice_history")
    methods = r.table(data, "payment_method_update", p + "payment_method_update")
    r.known_keys(invoice, ("enabled",), p + "invoice_history.")
    r.known_keys(methods, ("enabled",), p + "payment_method_update.")
    return Features(
        customer_update=_customer_update(
            r, r.table(data, "customer_update", p + "customer_update")
        ),
        invoice_history=InvoiceHistory(
            r.boolean(invoice, "enabled", p + "invoice_history.enabled")
        ),
        payment_method_update=PaymentMethodUpdate(
            r.boolean(methods, "enabled", p + "payment_method_update.enabled")
        ),
        subscription_cancel=_cancel(
            r, r.table(data, "subscription_cancel", p + "subscription_cancel")
        ),
        subscription_update=_update(
            r, r.table(data, "subscription_update", p + "subscription_update")
        ),
    )


def _customer_update(r: FieldReader, data: Data) -> CustomerUpdate:
    p = "features.customer_update."
    r.known_keys(data, ("enabled", "allowed_updates"), p)
    enabled = r.boolean(data, "enabled", p + "enabled")
    allowed = r.choices(data, "allowed_updates", p + "allowed_updates", CUSTOMER_UPDATE_FIELDS)
    if enabled and not data.get("allowed_updates"):
        r.problem(p + "allowed_updates", "must list at least one update when enabled")
    return CustomerUpdate(enabled, allowed)


def _cancel(r: FieldReader, data: Data) -> SubscriptionCancel:
    p = "features.subscription_cancel."
    r.known_keys(data, ("enabled", "mode", "proration_behavior", "cancellation_reason"), p)
    mode = r.choice(data, "mode", p + "mode", CANCEL_MODES, "at_period_end")
    proration = r.choice(
        data, "proration_behavior", p + "proration_behavior", PRORATION_BEHAVIORS, "none"
    )
    if proration == "always_invoice":
        r.problem(p + "proration_behavior", "Stripe refuses 'always_invoice' for cancellations")
    elif proration != "none" and mode != "immediately":
        r.problem(
            p + "proration_behavior",
            f"{proration!r} needs mode = 'immediately' (Stripe prorates only immediate cancellations)",
        )
    reason = r.table(data, "cancellation_reason", p + "cancellation_reason")
    r.known_keys(reason, ("enabled", "options"), p + "cancellation_reason.")
    reason_on = r.boolean(reason, "enabled", p + "cancellation_reason.enabled")
    options = r.choices(reason, "options", p + "cancellation_reason.options", CANCELLATION_REASONS)
    if reason_on and not reason.get("options"):
        r.problem(p + "cancellation_reason.options", "must list at least one reason when enabled")
    return SubscriptionCancel(
        enabled=r.boolean(data, "enabled", p + "enabled"),
        mode=mode,
        proration_behavior=proration,
        cancellation_reason=CancellationReason(reason_on, options),
    )


def _update(r: FieldReader, data: Data) -> SubscriptionUpdate:
    p = "features.subscription_update."
    keys = ("enabled", "products", "default_allowed_updates", "proration_behavior")
    r.known_keys(data, (*keys, "schedule_at_period_end"), p)
    enabled = r.boolean(data, "enabled", p + "enabled")
    allowed = r.choices(
        data, "default_allowed_updates", p + "default_allowed_updates", SUBSCRIPTION_UPDATES
    )
    products = _products(r, data)
    if enabled and not data.get("default_allowed_updates"):
        r.problem(p + "default_allowed_updates", "must list at least one update when enabled")
    if enabled and not data.get("products"):
        r.problem(p + "products", "must list at least one product when enabled")
    return SubscriptionUpdate(
        enabled=enabled,
        products=products,
        default_allowed_updates=allowed,
        proration_behavior=r.choice(
            data, "proration_behavior", p + "proration_behavior", PRORATION_BEHAVIORS, "none"
        ),
        schedule_at_period_end=_conditions(r, data),
    )


def _products(r: FieldReader, data: Data) -> tuple[ProductPrices, ...]:
    path = "features.subscription_update.products"
    entries = r.items(data, "products", path)
    if len(entries) > MAX_PRODUCTS:
        r.problem(path, f"lists {len(entries)} products; Stripe allows at most {MAX_PRODUCTS}")
    products: list[ProductPrices] = []
    seen: set[str] = set()  # ids and lookup keys, each offered once per configuration
    for index, entry in enumerate(entries):
        at = f"{path}[{index}]"
        if not isinstance(entry, Mapping):
            r.problem(at, "must be a table with product and prices or price_lookup_keys")
            continue
        r.known_keys(entry, ("product", "prices", "price_lookup_keys"), at + ".")
        product = r.text(entry, "product", at + ".product")
        if "product" not in entry:
            r.problem(at + ".product", "required")
        elif product is not None and any(p.product == product for p in products):
            r.problem(at + ".product", f"{product!r} is listed twice")
        if not entry.get("prices") and not entry.get("price_lookup_keys"):
            r.problem(
                at + ".prices",
                "must list at least one price id (prices) or lookup key (price_lookup_keys)",
            )
        prices = _names(r, entry, "prices", at, seen, "a price id")
        keys = _names(r, entry, "price_lookup_keys", at, seen, "a price lookup key")
        if product:
            products.append(ProductPrices(product, prices, keys))
    return tuple(products)


def _names(
    r: FieldReader, entry: Data, key: str, at: str, seen: set[str], what: str
) -> tuple[str, ...]:
    """The distinct non-empty strings of ``entry[key]``; a name in ``seen`` is a repeat."""
    names: list[str] = []
    for i, name in enumerate(r.items(entry, key, f"{at}.{key}")):
        path = f"{at}.{key}[{i}]"
        if not isinstance(name, str) or not name.strip():
            r.problem(path, f"must be {what}, not {name!r}")
        elif key == "price_lookup_keys" and len(name) > MAX_LOOKUP_KEY_LENGTH:
            r.problem(path, f"lookup keys are at most {MAX_LOOKUP_KEY_LENGTH} characters")
        elif name in seen:
            r.problem(path, f"{name!r} is listed twice")
        else:
            seen.add(name)
            names.append(name)
    return tuple(names)


def _conditions(r: FieldReader, data: Data) -> tuple[str, ...]:
    p = "features.subscription_update.schedule_at_period_end"
    schedule = r.table(data, "schedule_at_period_end", p)
    r.known_keys(schedule, ("conditions",), p + ".")
    kinds: list[str] = []
    for index, condition in enumerate(r.items(schedule, "conditions", p + ".conditions")):
        at = f"{p}.conditions[{index}]"
        if not isinstance(condition, Mapping):
            r.problem(at, "must be a table like { type = 'decreasing_item_amount' }")
            continue
        r.known_keys(condition, ("type",), at + ".")
        if "type" not in condition:
            r.problem(at + ".type", "required")
            continue
        kind = r.choice(condition, "type", at + ".type", SCHEDULE_CONDITIONS, "")
        if kind in kinds:
            r.problem(at + ".type", f"{kind!r} is listed twice")
        elif kind:
            kinds.append(kind)
    return tuple(kinds)
