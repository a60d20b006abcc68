"""Use case: issue a server API key for the host app (``billing-portal api-keys create``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from application.errors import InvalidRequest
from application.ports.api_key_store import ApiKeyStore
from application.ports.clock import Clock
from application.ports.transaction_manager import TransactionManager
from domain.api_key import API_KEY_PREFIX, SHOWN_CHARACTERS, ApiKey, hash_api_key

MAX_NAME = 100


@dataclass(frozen=True, slots=True)
class IssuedApiKey:
    record: ApiKey
    # The key itself: shown once to the operator, never stored, never retrievable again.
    key: str


class CreateApiKey:
    """Generates 256 random bits as ``bpk_...``, stores its SHA-256 under a new id with the
    operator's ``name``, commits, and returns the key once. Several keys may be active at
    once, which is how a key is rotated: create the new one, deploy it, revoke the old."""

    def __init__(self, keys: ApiKeyStore, clock: Clock, transaction: TransactionManager) -> None:
        self._keys = keys
        self._clock = clock
        self._transaction = transaction

    async def execute(self, name: str) -> IssuedApiKey:
        name = name.strip()
        if not name or len(name) > MAX_NAME:
            raise InvalidRequest(f"the key's name must be 1 to {MAX_NAME} characters", field="name")
        key = API_KEY_PREFIX + secrets.token_urlsafe(32)
        record = ApiKey(
            id="key_" + secrets.token_hex(8),
            name=name,
            shown_prefix=key[:SHOWN_CHARACTERS],
            created_at=self._clock.now(),
        )
        await self._keys.add(record, hash_api_key(key))
        await self._transaction.commit()
        return IssuedApiKey(record, key)
