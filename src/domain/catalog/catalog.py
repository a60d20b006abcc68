"""The declared portal configurations, by name."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from domain.capabilities import ConfigurationCapabilities
from domain.catalog.model import PortalConfiguration


class Catalog:
    """Every portal configuration declared in the catalog file, in file order.

    Implements the application's ``PortalCatalog`` port (``capabilities``). ``source``
    names the file it came from, for messages.
    """

    def __init__(self, configurations: Iterable[PortalConfiguration], *, source: str) -> None:
        self._by_name = {configuration.name: configuration for configuration in configurations}
        self.source = source

    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def get(self, name: str) -> PortalConfiguration | None:
        return self._by_name.get(name)

    def __iter__(self) -> Iterator[PortalConfiguration]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def all_price_ids(self) -> tuple[str, ...]:
        """Every price any configuration offers for plan changes, each once, in file order."""
        seen: dict[str, None] = {}
        for configuration in self._by_name.values():
            for price in configuration.features.subscription_update.price_ids:
                seen.setdefault(price)
        return tuple(seen)

    def capabilities(self, name: str) -> ConfigurationCapabilities | None:
        configuration = self._by_name.get(name)
        if configuration is None:
            return None
        features = configuration.features
        update = features.subscription_update
        can_update = update.enabled and bool(update.products and update.default_allowed_updates)
        return ConfigurationCapabilities(
            payment_method_update=features.payment_method_update.enabled,
            subscription_cancel=features.subscription_cancel.enabled,
            subscription_update=can_update,
            updatable_prices=frozenset(update.price_ids) if can_update else frozenset(),
            invoice_history=features.invoice_history.enabled,
            customer_update=features.customer_update.enabled,
        )
