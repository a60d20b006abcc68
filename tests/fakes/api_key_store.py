from __future__ import annotations

import dataclasses
from datetime import datetime

from application.ports.api_key_store import ApiKeyStore
from domain.api_key import ApiKey

from .transaction_manager import Transactional


class FakeApiKeyStore(ApiKeyStore, Transactional):
    """Each key's record and hash; ``hashes`` lets a test prove no key itself is kept."""

    def __init__(self) -> None:
        self.committed: dict[str, tuple[ApiKey, str]] = {}
        self._pending: dict[str, tuple[ApiKey, str]] = {}

    def _view(self) -> dict[str, tuple[ApiKey, str]]:
        return {**self.committed, **self._pending}

    @property
    def hashes(self) -> list[str]:
        return [key_hash for _, key_hash in self._view().values()]

    async def add(self, key: ApiKey, key_hash: str) -> None:
        self._pending[key.id] = (key, key_hash)

    async def find_active(self, key_hash: str) -> ApiKey | None:
        return next((k for k, h in self._view().values() if h == key_hash and k.active), None)

    async def get(self, key_id: str) -> ApiKey | None:
        found = self._view().get(key_id)
        return found[0] if found else None

    async def list_all(self) -> list[ApiKey]:
        return sorted((k for k, _ in self._view().values()), key=lambda k: (k.created_at, k.id))

    async def revoke(self, key_id: str, at: datetime) -> None:
        key, key_hash = self._view()[key_id]
        if key.active:
            self._pending[key_id] = (dataclasses.replace(key, revoked_at=at), key_hash)

    def _commit(self) -> None:
        self.committed.update(self._pending)
        self._pending.clear()

    def _rollback(self) -> None:
        self._pending.clear()
