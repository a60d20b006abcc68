"""The database's Alembic revision against the newest one this code ships."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence.migrate import alembic_config, current_revision_async
from application.ports.schema_version import SchemaRevision, SchemaState, SchemaVersion


class AlembicSchemaVersion(SchemaVersion):
    """Reads ``alembic_version`` on its own connection; raises ``PersistenceUnavailable``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._scripts = ScriptDirectory.from_config(alembic_config())

    async def read(self) -> SchemaRevision:
        current = await current_revision_async(self._engine)
        expected = self._scripts.get_current_head() or ""
        return SchemaRevision(current, expected, self._state(current, expected))

    def _state(self, current: str | None, expected: str) -> SchemaState:
        if current is None:
            return SchemaState.MISSING
        if current == expected:
            return SchemaState.CURRENT
        try:
            known = self._scripts.get_revision(current) is not None
        except CommandError:
            known = False
        return SchemaState.BEHIND if known else SchemaState.AHEAD
