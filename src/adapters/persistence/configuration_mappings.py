"""Catalog name -> provider configuration id, in ``portal_configuration_mappings``."""

from __future__ import annotations

import builtins

from sqlalchemy import Row, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.persistence.errors import translate_database_errors
from adapters.persistence.tables import portal_configuration_mappings as mappings
from adapters.persistence.upsert import upsert
from application.ports.configuration_mappings import ConfigurationMapping, ConfigurationMappings

_BY_NAME = select(mappings).where(mappings.c.name == bindparam("name"))  # every portal session


class SqlaConfigurationMappings(ConfigurationMappings):
    """``ConfigurationMappings`` on the request's session; ``save`` upserts by name.

    ``list`` returns every mapping, inactive ones included, ordered by name. Nothing is
    committed here. Database failures raise ``PersistenceUnavailable``.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, name: str) -> ConfigurationMapping | None:
        with translate_database_errors(f"reading configuration mapping {name!r}"):
            result = await self._session.execute(_BY_NAME, {"name": name})
            row = result.one_or_none()
        return None if row is None else _to_mapping(row)

    async def list(self) -> builtins.list[ConfigurationMapping]:
        with translate_database_errors("listing configuration mappings"):
            result = await self._session.execute(select(mappings).order_by(mappings.c.name))
            return [_to_mapping(row) for row in result]

    async def save(self, mapping: ConfigurationMapping) -> None:
        statement = upsert(
            self._session.get_bind().dialect.name,
            mappings,
            {
                "name": mapping.name,
                "provider_id": mapping.provider_id,
                "fingerprint": mapping.fingerprint,
                "active": mapping.active,
                "applied_at": mapping.applied_at,
            },
            conflict_on=["name"],
            update=["provider_id", "fingerprint", "active", "applied_at"],
        )
        with translate_database_errors(f"saving configuration mapping {mapping.name!r}"):
            await self._session.execute(statement)


def _to_mapping(row: Row[tuple[str, str, str, bool, object]]) -> ConfigurationMapping:
    return ConfigurationMapping(
        name=row.name,
        provider_id=row.provider_id,
        fingerprint=row.fingerprint,
        active=row.active,
        applied_at=row.applied_at,
    )
