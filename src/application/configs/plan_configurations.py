"""Use case: what `configs apply` would change at the provider, field by field."""

from __future__ import annotations

from application.configs.offered_prices import check_offered_prices
from application.ports.configuration_mappings import ConfigurationMappings
from application.ports.portal_configuration_provider import PortalConfigurationProvider
from domain.catalog import Catalog, Plan, plan_catalog


class PlanConfigurations:
    """Compare the catalog with the provider's configurations; read-only, no writes.

    Prices named by lookup key are first resolved to the ids of the active prices that
    hold those keys (see ``check_offered_prices``); the plan, its fingerprints and its
    field diffs are computed on that resolved catalog, the form Stripe holds.

    Returns the domain ``Plan``: per configuration create / update (with changed fields)
    / unchanged / deactivate / reactivate. Raises ``CatalogInvalid`` naming each offered
    price that is unknown (an id, or a lookup key no active price holds), metered,
    one-time or under the wrong product, and the provider's errors
    (``ProviderUnavailable``, ``ProviderMisconfigured`` ...).
    """

    def __init__(
        self,
        catalog: Catalog,
        provider: PortalConfigurationProvider,
        mappings: ConfigurationMappings,
    ) -> None:
        self._catalog = catalog
        self._provider = provider
        self._mappings = mappings

    async def execute(self) -> Plan:
        resolved = await check_offered_prices(self._catalog, self._provider)
        existing = await self._provider.list_configurations()
        mapped = {mapping.name: mapping.provider_id for mapping in await self._mappings.list()}
        return plan_catalog(resolved, existing, mapped)
