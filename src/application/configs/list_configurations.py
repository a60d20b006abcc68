"""Use case: which catalog configurations are applied, from our mapping table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from application.configs.offered_prices import resolve_lookup_keys
from application.ports.configuration_mappings import ConfigurationMappings
from application.ports.portal_configuration_provider import PortalConfigurationProvider
from domain.catalog import Catalog, fingerprint


class ApplyStatus(StrEnum):
    APPLIED = "applied"  # active at the provider with the catalog's current content
    OUT_OF_DATE = "out_of_date"  # applied once, but the file changed (or it was deactivated)
    NOT_APPLIED = "not_applied"  # declared, never applied: run `configs apply`
    REMOVED = "removed"  # applied earlier, no longer in the catalog file


@dataclass(frozen=True, slots=True)
class ConfigurationStatus:
    """One row: catalog names in file order, then names only our table remembers."""

    name: str
    status: ApplyStatus
    provider_id: str | None
    applied_fingerprint: str | None
    catalog_fingerprint: str | None
    active: bool
    applied_at: datetime | None


@dataclass(frozen=True, slots=True)
class ConfigurationListing:
    rows: tuple[ConfigurationStatus, ...]


class ListConfigurations:
    """Read-only: the catalog against what ``configs apply`` recorded.

    No provider call, except one read to resolve prices named by lookup key (fingerprints
    are those of the resolved catalog, as ``configs apply`` records them); it raises
    ``CatalogInvalid`` when a key matches no active price, and the provider's errors.
    Edits made at the provider outside the catalog do not show here; ``configs plan``
    compares with the provider itself.
    """

    def __init__(
        self,
        catalog: Catalog,
        mappings: ConfigurationMappings,
        provider: PortalConfigurationProvider,
    ) -> None:
        self._catalog = catalog
        self._mappings = mappings
        self._provider = provider

    async def execute(self) -> ConfigurationListing:
        catalog = await resolve_lookup_keys(self._catalog, self._provider)
        recorded = {mapping.name: mapping for mapping in await self._mappings.list()}
        rows: list[ConfigurationStatus] = []
        for configuration in catalog:
            desired = fingerprint(configuration)
            mapping = recorded.pop(configuration.name, None)
            if mapping is None:
                status = ApplyStatus.NOT_APPLIED
            elif mapping.active and mapping.fingerprint == desired:
                status = ApplyStatus.APPLIED
            else:
                status = ApplyStatus.OUT_OF_DATE
            rows.append(
                ConfigurationStatus(
                    configuration.name,
                    status,
                    mapping.provider_id if mapping else None,
                    mapping.fingerprint if mapping else None,
                    desired,
                    mapping.active if mapping else False,
                    mapping.applied_at if mapping else None,
                )
            )
        for name in sorted(recorded):
            mapping = recorded[name]
            rows.append(
                ConfigurationStatus(
                    name,
                    ApplyStatus.REMOVED,
                    mapping.provider_id,
                    mapping.fingerprint,
                    None,
                    mapping.active,
                    mapping.applied_at,
                )
            )
        return ConfigurationListing(tuple(rows))
