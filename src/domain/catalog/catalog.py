"""The declared portal configurations, by name."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace

from domain.capabilities import ConfigurationCapabilities
from domain.catalog.model import PortalConfiguration, ProductPrices
from domain.catalog.problems import CatalogError, CatalogProblem

_PRODUCTS = "features.subscription_update.products"


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
        """Every price offered by id for plan changes, each once, in file order."""
        return _once(c.features.subscription_update.price_ids for c in self)

    def all_price_lookup_keys(self) -> tuple[str, ...]:
        """Every price lookup key offered for plan changes, each once, in file order."""
        return _once(c.features.subscription_update.price_lookup_keys for c in self)

    def resolve(self, price_ids_by_lookup_key: Mapping[str, str]) -> Catalog:
        """This catalog with every lookup key replaced by the price id it names.

        A product's resolved ids follow its declared ones (an id named both ways is kept
        once). The result declares ids only: it is what Stripe holds, so fingerprints and
        diffs are computed on it. Raises ``CatalogError`` naming each key the mapping lacks.
        """
        problems: list[CatalogProblem] = []
        resolved = [
            _resolved(configuration, price_ids_by_lookup_key, self.source, problems)
            for configuration in self
        ]
        if problems:
            raise CatalogError(problems)
        return Catalog(resolved, source=self.source)

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
            updatable_price_lookup_keys=(
                frozenset(update.price_lookup_keys) if can_update else frozenset()
            ),
            quantity_updates=can_update and "quantity" in update.default_allowed_updates,
        )


def _resolved(
    configuration: PortalConfiguration,
    price_ids_by_lookup_key: Mapping[str, str],
    source: str,
    problems: list[CatalogProblem],
) -> PortalConfiguration:
    """``configuration`` offering ids only; each key without an id is added to ``problems``."""
    update = configuration.features.subscription_update
    products: list[ProductPrices] = []
    for p_index, product in enumerate(update.products):
        ids = dict.fromkeys(product.prices)
        for index, key in enumerate(product.lookup_keys):
            if key in price_ids_by_lookup_key:
                ids.setdefault(price_ids_by_lookup_key[key])
            else:
                path = f"{_PRODUCTS}[{p_index}].price_lookup_keys[{index}]"
                message = f"lookup key {key!r} matches no active price"
                problems.append(CatalogProblem(source, configuration.name, path, message))
        products.append(ProductPrices(product.product, tuple(ids)))
    update = replace(update, products=tuple(products))
    return replace(
        configuration, features=replace(configuration.features, subscription_update=update)
    )


def _once(groups: Iterable[Iterable[str]]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for group in groups:
        for item in group:
            seen.setdefault(item)
    return tuple(seen)
