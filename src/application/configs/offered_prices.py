"""The prices a catalog offers for plan changes, checked and resolved at the provider.

A product entry offers prices by id (``prices``) and/or by Stripe lookup key
(``price_lookup_keys``). Stripe's configurations hold ids only, so the catalog is resolved
(lookup keys -> the ids of the active prices holding them) before it is planned,
fingerprinted or compared: what Stripe holds then compares equal to what the file means.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from application.errors import CatalogInvalid
from application.ports.portal_configuration_provider import (
    PortalConfigurationProvider,
    ProviderPrice,
)
from domain.catalog import Catalog, CatalogError, CatalogProblem

_PRODUCTS = "features.subscription_update.products"


async def check_offered_prices(catalog: Catalog, provider: PortalConfigurationProvider) -> Catalog:
    """The catalog with lookup keys resolved, after checking every offered price.

    Raises ``CatalogInvalid`` naming each price that cannot be a plan change: an id the
    provider does not know, a lookup key no active price holds, metered (usage-based)
    prices, one-time prices, and prices listed under a product they do not belong to.
    """
    ids = catalog.all_price_ids()
    by_id = {price.id: price for price in await provider.get_prices(ids)} if ids else {}
    by_key = await _prices_by_lookup_key(catalog, provider)
    _raise_problems(catalog, by_id, by_key)
    return _resolved(catalog, by_key)


async def resolve_lookup_keys(catalog: Catalog, provider: PortalConfigurationProvider) -> Catalog:
    """The catalog with lookup keys resolved: one provider read, none without lookup keys.

    Checks the prices named by lookup key as ``check_offered_prices`` does, not those
    named by id. Raises ``CatalogInvalid`` the same way.
    """
    by_key = await _prices_by_lookup_key(catalog, provider)
    _raise_problems(catalog, None, by_key)
    return _resolved(catalog, by_key)


async def _prices_by_lookup_key(
    catalog: Catalog, provider: PortalConfigurationProvider
) -> dict[str, ProviderPrice]:
    keys = catalog.all_price_lookup_keys()
    if not keys:
        return {}
    found: dict[str, ProviderPrice] = {}
    for price in await provider.find_prices_by_lookup_keys(keys):
        if price.lookup_key in keys and price.active:
            found.setdefault(price.lookup_key, price)
    return found


def _resolved(catalog: Catalog, by_key: Mapping[str, ProviderPrice]) -> Catalog:
    if not catalog.all_price_lookup_keys():
        return catalog
    try:
        return catalog.resolve({key: price.id for key, price in by_key.items()})
    except CatalogError as error:  # defensive: every key was checked just before
        raise CatalogInvalid(error.message) from error


def _raise_problems(
    catalog: Catalog,
    by_id: Mapping[str, ProviderPrice] | None,
    by_key: Mapping[str, ProviderPrice],
) -> None:
    problems = list(_problems(catalog, by_id, by_key))
    if problems:
        raise CatalogInvalid(CatalogError(problems).message)


def _problems(
    catalog: Catalog,
    by_id: Mapping[str, ProviderPrice] | None,
    by_key: Mapping[str, ProviderPrice],
) -> Iterator[CatalogProblem]:
    """Every refused price, in file order; prices named by id are skipped without ``by_id``."""
    for configuration in catalog:
        products = configuration.features.subscription_update.products
        for p_index, product in enumerate(products):
            at = f"{_PRODUCTS}[{p_index}]"
            checked: list[tuple[str, str | None]] = []
            if by_id is not None:
                checked += [
                    (f"{at}.prices[{i}]", _by_id(price_id, product.product, by_id.get(price_id)))
                    for i, price_id in enumerate(product.prices)
                ]
            checked += [
                (f"{at}.price_lookup_keys[{i}]", _by_key(key, product.product, by_key.get(key)))
                for i, key in enumerate(product.lookup_keys)
            ]
            for path, reason in checked:
                if reason:
                    yield CatalogProblem(catalog.source, configuration.name, path, reason)


def _by_id(price_id: str, product_id: str, price: ProviderPrice | None) -> str | None:
    if price is None:
        return f"price {price_id!r} does not exist at the billing provider"
    return _refusal(f"price {price_id!r}", product_id, price)


def _by_key(key: str, product_id: str, price: ProviderPrice | None) -> str | None:
    if price is None:
        return f"lookup key {key!r} matches no active price at the billing provider"
    return _refusal(f"lookup key {key!r} (price {price.id!r})", product_id, price)


def _refusal(subject: str, product_id: str, price: ProviderPrice) -> str | None:
    if price.metered:
        return (
            f"{subject} is metered (usage-based); metered prices are never offered for plan changes"
        )
    if not price.recurring:
        return f"{subject} is a one-time price; plan changes need recurring prices"
    if price.product_id != product_id:
        return f"{subject} belongs to product {price.product_id!r}, not {product_id!r}"
    return None
