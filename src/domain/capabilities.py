"""What a portal configuration lets a customer do, as the deep-link rules need it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConfigurationCapabilities:
    """The features of one portal configuration that decide which deep links are possible.

    Plan changes are offered by price id (``updatable_prices``) and/or by Stripe price
    lookup key (``updatable_price_lookup_keys``), exactly as the catalog file declares them.
    ``quantity_updates``: plan changes may change the quantity (``quantity`` is among the
    configuration's ``default_allowed_updates``).
    """

    payment_method_update: bool = False
    subscription_cancel: bool = False
    subscription_update: bool = False
    updatable_prices: frozenset[str] = frozenset()
    invoice_history: bool = False
    customer_update: bool = False
    updatable_price_lookup_keys: frozenset[str] = frozenset()
    quantity_updates: bool = False
