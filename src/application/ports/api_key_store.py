from __future__ import annotations

from datetime import datetime
from typing import Protocol

from domain.api_key import ApiKey


class ApiKeyStore(Protocol):
    """The server API keys: records plus the SHA-256 of each key, never the key itself.

    Nothing here commits; the caller's unit of work does.
    """

    async def add(self, key: ApiKey, key_hash: str) -> None: ...

    async def find_active(self, key_hash: str) -> ApiKey | None:
        """The unrevoked key whose hash is ``key_hash``, if any."""
        ...

    async def get(self, key_id: str) -> ApiKey | None: ...

    async def list_all(self) -> list[ApiKey]:
        """Every key, revoked ones included, oldest first."""
        ...

    async def revoke(self, key_id: str, at: datetime) -> None:
        """Mark the key revoked at ``at`` (no effect on a key already revoked)."""
        ...
