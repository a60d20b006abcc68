"""Catalog name -> provider configuration id, in ``portal_configuration_mappings``."""

from __future__ import annotations

import builtins
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.persistence.driver_reads import PooledUnit, driver_errors, session_driver
from adapters.persistence.errors import translate_database_errors
from adapters.persistence.tables import portal_configuration_mappings as mappings
from adapters.persistence.upsert import upsert
from application.ports.configuration_mappings import ConfigurationMapping, ConfigurationMappings

_BY_NAME = select(mappings).where(mappings.c.name == bindparam("name"))  # every portal session
_BY_NAME_SQL = (
    "SELECT name, provider_id, fingerprint, active, applied_at"
    " FROM portal_configuration_mappings WHERE name = $1"
)
# Every mapping as one array of records, a column of another statement that reads ahead
# for ``get`` on a ``PooledUnit`` (the table holds one row per catalog configuration).
MAPPINGS_READ_AHEAD_SQL = (
    "ARRAY(SELECT ROW(c.name, c.provider_id, c.fingerprint, c.active, c.applied_at)"
    " FROM portal_configuration_mappings c)"
)
_READ_AHEAD_KEY = ("configuration_mappings", "")


def keep_read_ahead(unit: PooledUnit, records: Any) -> None:
    """Keeps every mapping ``MAPPINGS_READ_AHEAD_SQL`` read on ``unit``, for the next
    ``get`` on it (taken once; a name that is not among them has no mapping)."""
    unit.read_ahead[_READ_AHEAD_KEY] = {
        record[0]: ConfigurationMapping(
            name=record[0],
            provider_id=record[1],
            fingerprint=record[2],
            active=record[3],
            applied_at=record[4],
        )
        for record in records or ()
    }


class SqlaConfigurationMappings(ConfigurationMappings):
    """``ConfigurationMappings`` on the request's session; ``save`` upserts by name.

    ``list`` returns every mapping, inactive ones included, ordered by name. Nothing is
    committed here. Database failures raise ``PersistenceUnavailable``.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, name: str) -> ConfigurationMapping | None:
        if isinstance(self._session, PooledUnit):  # read ahead with the customer's link?
            found_ahead: dict[str, ConfigurationMapping] | None
            found_ahead = self._session.read_ahead.pop(_READ_AHEAD_KEY, None)
            if found_ahead is not None:
                return found_ahead.get(name)
        action = f"reading configuration mapping {name!r}"
        driver = await session_driver(self._session, action)
        if driver is not None:  # PostgreSQL: every portal session reads one
            with driver_errors(action):
                found = await driver.fetchrow(_BY_NAME_SQL, name)
            return None if found is None else _to_mapping(found)
        with translate_database_errors(action):
            result = await self._session.execute(_BY_NAME, {"name": name})
            row = result.one_or_none()
        return None if row is None else _to_mapping(row._mapping)

    async def list(self) -> builtins.list[ConfigurationMapping]:
        with translate_database_errors("listing configuration mappings"):
            result = await self._session.execute(select(mappings).order_by(mappings.c.name))
            return [_to_mapping(row) for row in result.mappings()]

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


def _to_mapping(row: Any) -> ConfigurationMapping:
    """From a row's mapping or an asyncpg record (both give columns by name)."""
    return ConfigurationMapping(
        name=row["name"],
        provider_id=row["provider_id"],
        fingerprint=row["fingerprint"],
        active=row["active"],
        applied_at=row["applied_at"],
    )
