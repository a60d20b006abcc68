"""A configuration as the parameters of Stripe's ``/v1/billing_portal/configurations``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from domain.catalog.model import FINGERPRINT_KEY, NAME_KEY, PortalConfiguration

Params = dict[str, Any]

# Lists whose order carries no meaning: compared and fingerprinted sorted.
UNORDERED_FIELDS = frozenset(
    {
        "features.customer_update.allowed_updates",
        "features.subscription_cancel.cancellation_reason.options",
        "features.subscription_update.default_allowed_updates",
        "features.subscription_update.schedule_at_period_end.conditions",
    }
)
PRODUCTS_FIELD = "features.subscription_update.products"


def managed_state(configuration: PortalConfiguration) -> Params:
    """Every field the catalog manages, nested as Stripe does; unset values are None or [].

    Stripe holds price ids only: a configuration naming prices by lookup key must be
    resolved first (``Catalog.resolve``), else ``ValueError``.
    """
    profile = configuration.business_profile
    features = configuration.features
    cancel = features.subscription_cancel
    update = features.subscription_update
    if update.price_lookup_keys:
        raise ValueError(
            f"configuration {configuration.name!r} names prices by lookup key; "
            "resolve them to ids first (Catalog.resolve)"
        )
    state: Params = {
        "name": configuration.name,
        "business_profile": {
            "headline": profile.headline,
            "privacy_policy_url": profile.privacy_policy_url,
            "terms_of_service_url": profile.terms_of_service_url,
        },
        "default_return_url": configuration.default_return_url,
        "features": {
            "customer_update": {
                "enabled": features.customer_update.enabled,
                "allowed_updates": list(features.customer_update.allowed_updates),
            },
            "invoice_history": {"enabled": features.invoice_history.enabled},
            "payment_method_update": {"enabled": features.payment_method_update.enabled},
            "subscription_cancel": {
                "enabled": cancel.enabled,
                "mode": cancel.mode,
                "proration_behavior": cancel.proration_behavior,
                "cancellation_reason": {
                    "enabled": cancel.cancellation_reason.enabled,
                    "options": list(cancel.cancellation_reason.options),
                },
            },
            "subscription_update": {
                "enabled": update.enabled,
                "products": [
                    {"product": p.product, "prices": list(p.prices)} for p in update.products
                ],
                "default_allowed_updates": list(update.default_allowed_updates),
                "proration_behavior": update.proration_behavior,
                "schedule_at_period_end": {
                    "conditions": [{"type": kind} for kind in update.schedule_at_period_end]
                },
            },
        },
        "metadata": {**configuration.metadata, NAME_KEY: configuration.name},
    }
    state["metadata"][FINGERPRINT_KEY] = _digest(canonical(state))
    return state


def fingerprint(configuration: PortalConfiguration) -> str:
    """sha256 (hex) of the canonical managed state, without the fingerprint itself.

    Stable across key order, the order of unordered lists and Python runs.
    """
    return str(managed_state(configuration)["metadata"][FINGERPRINT_KEY])


def to_stripe_params(configuration: PortalConfiguration) -> Params:
    """The exact parameters to create this configuration (unset values left out)."""
    params: Params = _pruned(managed_state(configuration))
    reason = params["features"]["subscription_cancel"].get("cancellation_reason", {})
    if "options" not in reason:  # Stripe requires options whenever cancellation_reason is sent
        params["features"]["subscription_cancel"].pop("cancellation_reason", None)
    return params


def update_params(configuration: PortalConfiguration, stale_metadata: Sequence[str] = ()) -> Params:
    """Parameters that make an existing configuration equal to this one.

    Every managed field is sent; unset ones as ``""``, Stripe's way to clear a value. Keys
    in ``stale_metadata`` (on the provider, no longer declared) are cleared the same way.
    """
    params: Params = _explicit(managed_state(configuration))
    params["metadata"].update(dict.fromkeys(stale_metadata, ""))
    return params


def canonical(value: Any, path: str = "") -> Any:
    """The comparable form of a managed value: empties become None, unordered lists sorted,
    provider extras (ids, sub-keys the catalog does not manage) dropped from list items."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    if path == PRODUCTS_FIELD and isinstance(value, list):
        return [
            {"product": item.get("product"), "prices": sorted(item.get("prices") or [])}
            for item in value
            if isinstance(item, dict)
        ]
    if path in UNORDERED_FIELDS and isinstance(value, list):
        return sorted(item.get("type") if isinstance(item, dict) else item for item in value)
    if isinstance(value, dict):
        inner = {k: canonical(v, f"{path}.{k}" if path else k) for k, v in value.items()}
        if path == "metadata":
            inner.pop(FINGERPRINT_KEY, None)
        return inner
    return value


def state_digest(data: object) -> str:
    """A short digest of any JSON-like data (used to key writes on the provider's state)."""
    return _digest(data)[:16]


def _digest(data: object) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _pruned(value: Any) -> Any:
    if isinstance(value, dict):
        kept = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, [], {})}
    return value


def _explicit(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _explicit(v) for k, v in value.items()}
    return "" if value is None or value == [] else value
