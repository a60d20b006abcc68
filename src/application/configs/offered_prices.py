"""Checks the prices a catalog offers for plan changes against the provider's prices."""

from __future__ import annotations

from application.errors import CatalogInvalid
from application.ports.portal_configuration_provider import (
    PortalConfigurationProvider,
    ProviderPrice,
)
from domain.catalog import Catalog, CatalogError, CatalogProblem


async def check_offered_prices(catalog: Catalog, provider: PortalConfigurationProvider) -> None:
    """Raise ``CatalogInvalid`` naming every offered price that cannot be a plan change.

    Refused: prices the provider does not know, metered (usage-based) prices, one-time
    prices, and prices listed under a product they do not belong to.
    """
    wanted = catalog.all_price_ids()
    if not wanted:
        return
    known = {price.id: price for price in await provider.get_prices(wanted)}
    problems: list[CatalogProblem] = []
    for configuration in catalog:
        products = configuration.features.subscription_update.products
        for p_index, product in enumerate(products):
            for index, price_id in enumerate(product.prices):
                reason = _refusal(price_id, product.product, known.get(price_id))
                if reason:
                    path = f"features.subscription_update.products[{p_index}].prices[{index}]"
                    problems.append(
                        CatalogProblem(catalog.source, configuration.name, path, reason)
                    )
    if problems:
        raise CatalogInvalid(CatalogError(problems).message)


def _refusal(price_id: str, product_id: str, price: ProviderPrice | None) -> str | None:
    if price is None:
        return f"price {price_id!r} does not exist at the billing provider"
    if price.metered:
        return (
            f"price {price_id!r} is metered (usage-based); "
            "metered prices are never offered for plan changes"
        )
    if not price.recurring:
        return f"price {price_id!r} is a one-time price; plan changes need recurring prices"
    if price.product_id != product_id:
        return f"price {price_id!r} belongs to product {price.product_id!r}, not {product_id!r}"
    return None
