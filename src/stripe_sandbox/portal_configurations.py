"""Billing-portal configurations with Stripe's validation rules.

``features.subscription_update.products`` is kept in ``state.portal_products`` and shown
only when expanded, as on Stripe. As on Stripe, a configuration created through the API is
never the default one: the default stands for the settings saved in Stripe's dashboard, which
the demo seed creates with :func:`create_dashboard_default`.
"""

from __future__ import annotations

from typing import Any

from .errors import InvalidRequest
from .ledger import Ledger
from .objects import blank, new_id
from .params import Params, array, boolean, choice, mapping, merge_metadata, text
from .portal_products import subscription_update

ALLOWED_CUSTOMER_UPDATES = ("address", "email", "name", "phone", "shipping", "tax_id")
CANCELLATION_REASONS = (
    "customer_service",
    "low_quality",
    "missing_features",
    "other",
    "switched_service",
    "too_complex",
    "too_expensive",
    "unused",
)
F = "features"


def create(ledger: Ledger, params: Params) -> dict[str, Any]:
    """``POST /v1/billing_portal/configurations`` (``features`` is required); never the
    default configuration, as on Stripe."""
    return _create(ledger, params, is_default=False)


def create_dashboard_default(ledger: Ledger) -> dict[str, Any]:
    """The account's default configuration, as saving the portal settings in Stripe's
    dashboard makes it: invoices and payment methods only. An account has at most one, so
    when it exists already it is returned unchanged."""
    table = ledger.state.table("billing_portal.configuration")
    existing = next((c for c in table.values() if c["is_default"]), None)
    if existing is not None:
        return existing
    features = {
        "invoice_history": {"enabled": "true"},
        "payment_method_update": {"enabled": "true"},
    }
    return _create(ledger, {"features": features}, is_default=True)


def _create(ledger: Ledger, params: Params, *, is_default: bool) -> dict[str, Any]:
    if not mapping(params, "features"):
        raise InvalidRequest("Missing required param: features.", param="features")
    config = blank("billing_portal.configuration")
    config.update(id=new_id("bpc"), created=ledger.now, updated=ledger.now)
    # Set before the event is emitted: its payload is a copy taken at emission.
    config["is_default"] = is_default
    _apply(ledger, config, params)
    ledger.put(config)
    ledger.emit("billing_portal.configuration.created", config)
    return config


def update(ledger: Ledger, config_id: str, params: Params) -> dict[str, Any]:
    """``POST /v1/billing_portal/configurations/{id}``: merges the given fields."""
    config = ledger.get("billing_portal.configuration", config_id)
    _apply(ledger, config, params)
    if "active" in params:
        active = bool(boolean(params, "active"))
        if not active and config["is_default"]:
            raise InvalidRequest("You cannot deactivate the default configuration.", param="active")
        config["active"] = active
    config["updated"] = ledger.now
    ledger.emit("billing_portal.configuration.updated", config)
    return config


def list_filter(params: Params) -> Any:
    """``GET /v1/billing_portal/configurations``: ``active`` and ``is_default`` filters."""
    active = boolean(params, "active")
    is_default = boolean(params, "is_default")
    return lambda c: (
        (active is None or c["active"] == active)
        and (is_default is None or c["is_default"] == is_default)
    )


def _apply(ledger: Ledger, config: dict[str, Any], params: Params) -> None:
    profile = mapping(params, "business_profile")
    for field in ("headline", "privacy_policy_url", "terms_of_service_url"):
        if field in profile:
            config["business_profile"][field] = text(profile, field, f"business_profile[{field}]")
    headline = config["business_profile"]["headline"]
    if headline is not None and len(headline) > 60:
        raise InvalidRequest(
            "The headline must be at most 60 characters.", param="business_profile[headline]"
        )
    if "default_return_url" in params:
        config["default_return_url"] = _url(params, "default_return_url")
    if "name" in params:
        config["name"] = text(params, "name")
    if "metadata" in params:
        config["metadata"] = merge_metadata(config["metadata"], params)
    login = mapping(params, "login_page")
    if "enabled" in login:
        enabled = bool(boolean(login, "enabled", "login_page[enabled]"))
        config["login_page"] = {
            "enabled": enabled,
            "url": f"{ledger.base_url}/p/login/{config['id']}" if enabled else None,
        }
    features = mapping(params, F)
    _simple_feature(config, features, "invoice_history")
    _simple_feature(config, features, "payment_method_update")
    _customer_update(config, features)
    _subscription_cancel(config, features)
    subscription_update(ledger, config, features)


def _url(params: Params, name: str) -> str | None:
    value = text(params, name)
    if value is not None and not value.startswith(("http://", "https://")):
        raise InvalidRequest(f"Invalid URL: {value}", param=name)
    return value


def _enabled(raw: Params, name: str) -> bool | None:
    return boolean(raw, "enabled", f"{F}[{name}][enabled]")


def _simple_feature(config: dict[str, Any], features: Params, name: str) -> None:
    raw = mapping(features, name, f"{F}[{name}]")
    if "enabled" in raw:
        config[F][name]["enabled"] = bool(_enabled(raw, name))


def _customer_update(config: dict[str, Any], features: Params) -> None:
    raw = mapping(features, "customer_update", f"{F}[customer_update]")
    target = config[F]["customer_update"]
    if "enabled" in raw:
        target["enabled"] = bool(_enabled(raw, "customer_update"))
    if "allowed_updates" in raw:
        allowed = [str(v) for v in array(raw, "allowed_updates")]
        _subset(allowed, ALLOWED_CUSTOMER_UPDATES, f"{F}[customer_update][allowed_updates]")
        target["allowed_updates"] = allowed


def _subscription_cancel(config: dict[str, Any], features: Params) -> None:
    name = "subscription_cancel"
    raw = mapping(features, name, f"{F}[{name}]")
    target = config[F][name]
    if "enabled" in raw:
        target["enabled"] = bool(_enabled(raw, name))
    mode = choice(raw, "mode", ["at_period_end", "immediately"], f"{F}[{name}][mode]")
    target["mode"] = mode or target["mode"]
    behavior = choice(
        raw, "proration_behavior", ["create_prorations", "none"], f"{F}[{name}][proration_behavior]"
    )
    target["proration_behavior"] = behavior or target["proration_behavior"]
    reason = mapping(raw, "cancellation_reason", f"{F}[{name}][cancellation_reason]")
    param = f"{F}[{name}][cancellation_reason]"
    if "enabled" in reason:
        target["cancellation_reason"]["enabled"] = bool(
            boolean(reason, "enabled", f"{param}[enabled]")
        )
    if "options" in reason:
        options = [str(v) for v in array(reason, "options")]
        _subset(options, CANCELLATION_REASONS, f"{param}[options]")
        target["cancellation_reason"]["options"] = options
    if target["cancellation_reason"]["enabled"] and not target["cancellation_reason"]["options"]:
        raise InvalidRequest(
            "You must specify at least one cancellation reason option when cancellation "
            "reasons are enabled.",
            param=f"{param}[options]",
        )


def _subset(values: list[str], allowed: tuple[str, ...], param: str) -> None:
    for value in values:
        if value not in allowed:
            options = ", ".join(f"`{a}`" for a in allowed)
            raise InvalidRequest(f"Invalid {param}: must be one of {options}", param=param)
