"""Use case: revoke a server API key (``billing-portal api-keys revoke``)."""

from __future__ import annotations

import dataclasses

from application.errors import ApiKeyNotFound
from application.ports.api_key_store import ApiKeyStore
from application.ports.clock import Clock
from application.ports.transaction_manager import TransactionManager
from domain.api_key import ApiKey


class RevokeApiKey:
    """From the commit on, the key authenticates nothing. Revoking a revoked key keeps its
    first revocation time. Raises ``ApiKeyNotFound`` for an unknown id."""

    def __init__(self, keys: ApiKeyStore, clock: Clock, transaction: TransactionManager) -> None:
        self._keys = keys
        self._clock = clock
        self._transaction = transaction

    async def execute(self, key_id: str) -> ApiKey:
        record = await self._keys.get(key_id)
        if record is None:
            raise ApiKeyNotFound(f"no API key {key_id!r}; see `billing-portal api-keys list`")
        if not record.active:
            return record
        now = self._clock.now()
        await self._keys.revoke(key_id, now)
        await self._transaction.commit()
        return dataclasses.replace(record, revoked_at=now)
