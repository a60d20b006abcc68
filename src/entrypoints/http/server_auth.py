"""The ``/api/server`` routes' guard: a server API key, never a user's JWT."""

from __future__ import annotations

from typing import Any

from dishka import AsyncContainer
from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from application.api_keys.authenticate_api_key import AuthenticateApiKey
from domain.api_key import ApiKey

SECURITY_SCHEME = "server_api_key"


class ApiKeyAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    """Authenticates before the body is read, so a caller without a valid key always gets
    a 401. ``request.auth`` is then the ``ApiKey`` (its id is what the link audit records);
    ``request.user`` stays None: these routes act for the host app, not for a user."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        container: AsyncContainer = connection.state.dishka_container
        authenticate = await container.get(AuthenticateApiKey)
        key = await authenticate.execute(connection.headers.get("authorization"))
        return AuthenticationResult(user=None, auth=key)


def actor_of(key: ApiKey) -> str:
    """How the link audit names a caller of the server API."""
    return f"api_key:{key.id}"
