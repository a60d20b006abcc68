"""Who is calling: a Bearer JWT (no CSRF) or else the page's cookie session (CSRF checked).

The API's authentication middleware calls :func:`authenticated_user`; it is kept here so
the precedence between the two credentials is written, and tested, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from litestar.connection import ASGIConnection

from entrypoints.http.web.session import CookieSessions


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    """What a verified host-app JWT says: who (``sub``), until when (``exp``), and the
    optional ``email`` claim the page shows as the signed-in account."""

    user_id: str
    expires_at: int
    email: str | None = None


class BearerVerifier(Protocol):
    """``entrypoints.http.auth.JwtVerifier`` fits: the header in, the user id out."""

    def user_id(self, authorization: str | None) -> str:
        """The user id, or raises ``NotAuthenticated`` saying why."""
        ...

    def verify(self, authorization: str | None) -> VerifiedToken:
        """The verified token's claims, or raises ``NotAuthenticated`` saying why."""
        ...


async def authenticated_user(
    connection: ASGIConnection[Any, Any, Any, Any],
    verifier: BearerVerifier,
    sessions: CookieSessions | None,
) -> str:
    """The user id. A request with an ``Authorization`` header is judged by it alone (a
    cross-site page cannot set that header, so it needs no CSRF token); without one, the
    session cookie authenticates and an unsafe method must carry ``X-CSRF-Token``."""
    authorization = connection.headers.get("authorization")
    if authorization is None and sessions is not None:
        session = await sessions.session_of(connection)
        if session is not None:
            sessions.check_csrf(connection, session)
            return session.user_id
    return verifier.user_id(authorization)
