"""Use case: which server API key a caller presents (the ``/api/server`` routes' guard)."""

from __future__ import annotations

from application.errors import NotAuthenticated
from application.ports.api_key_store import ApiKeyStore
from domain.api_key import API_KEY_PREFIX, ApiKey, hash_api_key


class AuthenticateApiKey:
    """Returns the active key whose hash matches; raises ``NotAuthenticated`` saying why not
    (missing, not a server key, unknown or revoked) without echoing the key."""

    def __init__(self, keys: ApiKeyStore) -> None:
        self._keys = keys

    async def execute(self, presented: str | None) -> ApiKey:
        if not presented:
            raise NotAuthenticated("missing Authorization header; send 'Bearer <API key>'")
        scheme, _, key = presented.partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            raise NotAuthenticated("the Authorization header must be 'Bearer <API key>'")
        if not key.startswith(API_KEY_PREFIX):
            raise NotAuthenticated(
                f"this route takes a server API key ({API_KEY_PREFIX}...), not a user token"
            )
        record = await self._keys.find_active(hash_api_key(key))
        if record is None:
            raise NotAuthenticated("the API key is unknown or revoked")
        return record
