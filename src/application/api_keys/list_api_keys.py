"""Use case: every server API key's record (``billing-portal api-keys list``)."""

from __future__ import annotations

from application.ports.api_key_store import ApiKeyStore
from domain.api_key import ApiKey


class ListApiKeys:
    """Ids, names, shown prefixes and dates, revoked keys included; never a key or hash."""

    def __init__(self, keys: ApiKeyStore) -> None:
        self._keys = keys

    async def execute(self) -> list[ApiKey]:
        return await self._keys.list_all()
