"""Stripe's portal configurations and prices (``StripeObject`` or plain dicts) as the
configuration port's values. Billing objects are translated in ``objects.py``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from application.ports.portal_configuration_provider import ProviderConfiguration, ProviderPrice

StripeData = Mapping[str, Any]


def plain(obj: Any) -> dict[str, Any]:
    """A ``StripeObject`` (or any mapping) as a plain, recursively converted dict."""
    to_dict = getattr(obj, "to_dict", None)
    return dict(to_dict()) if callable(to_dict) else dict(obj)


def _id_of(value: str | StripeData | None) -> str:
    """An id from a field that is either the id or the expanded object."""
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value.get("id") or "")


def configuration_from_stripe(obj: Any) -> ProviderConfiguration:
    """A portal configuration with every field Stripe returned, as plain data."""
    fields = plain(obj)
    metadata = fields.get("metadata") or {}
    return ProviderConfiguration(
        id=fields["id"],
        active=bool(fields.get("active")),
        metadata={str(k): str(v) for k, v in metadata.items()},
        fields=fields,
        is_default=bool(fields.get("is_default")),
    )


def price_from_stripe(obj: Any) -> ProviderPrice:
    price = plain(obj)
    recurring = price.get("recurring")
    return ProviderPrice(
        id=price["id"],
        product_id=_id_of(price.get("product")),
        active=bool(price.get("active")),
        recurring=recurring is not None,
        metered=(recurring or {}).get("usage_type") == "metered",
        lookup_key=price.get("lookup_key") or None,
    )
