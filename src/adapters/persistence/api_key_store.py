"""Server API keys in ``api_keys``: the SHA-256 of each key, never the key itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.persistence.errors import translate_database_errors
from adapters.persistence.tables import api_keys
from application.ports.api_key_store import ApiKeyStore
from domain.api_key import ApiKey

_COLUMNS = (
    api_keys.c.id,
    api_keys.c.name,
    api_keys.c.shown_prefix,
    api_keys.c.created_at,
    api_keys.c.revoked_at,
)


class SqlaApiKeyStore(ApiKeyStore):
    """``ApiKeyStore`` on the request's session; nothing commits here. Database failures
    raise ``PersistenceUnavailable``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, key: ApiKey, key_hash: str) -> None:
        values = {
            "id": key.id,
            "name": key.name,
            "key_hash": key_hash,
            "shown_prefix": key.shown_prefix,
            "created_at": key.created_at,
            "revoked_at": key.revoked_at,
        }
        with translate_database_errors(f"storing API key {key.id!r}"):
            await self._session.execute(insert(api_keys).values(**values))

    async def find_active(self, key_hash: str) -> ApiKey | None:
        condition = (api_keys.c.key_hash == key_hash) & api_keys.c.revoked_at.is_(None)
        rows = await self._select(condition, "checking an API key")
        return rows[0] if rows else None

    async def get(self, key_id: str) -> ApiKey | None:
        rows = await self._select(api_keys.c.id == key_id, f"reading API key {key_id!r}")
        return rows[0] if rows else None

    async def list_all(self) -> list[ApiKey]:
        return await self._select(None, "listing API keys")

    async def revoke(self, key_id: str, at: datetime) -> None:
        statement = (
            update(api_keys)
            .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        with translate_database_errors(f"revoking API key {key_id!r}"):
            await self._session.execute(statement)

    async def _select(self, condition: Any, action: str) -> list[ApiKey]:
        statement = select(*_COLUMNS).order_by(api_keys.c.created_at, api_keys.c.id)
        if condition is not None:
            statement = statement.where(condition)
        with translate_database_errors(action):
            rows = (await self._session.execute(statement)).all()
        return [ApiKey(r.id, r.name, r.shown_prefix, r.created_at, r.revoked_at) for r in rows]
