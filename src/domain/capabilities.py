"""What a portal configuration lets a customer do, as the deep-link rules need it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConfigurationCapabilities:
    """The features of one portal configuration that decide which deep links are possible."""

    payment_method_update: bool = False
    subscription_cancel: bool = False
    subscription_update: bool = False
    updatable_prices: frozenset[str] = frozenset()
    invoice_history: bool = False
    customer_update: bool = False
