"""Who is calling: a Bearer JWT (no CSRF) or else the page's cookie session (CSRF checked).

The API's authentication middleware calls :func:`authenticated_user`; it is kept here so
the precedence between the two credentials is written, and tested, once.
"""

from __future__ import annotations

from typing import Any, Protocol

from litestar.connection import ASGIConnection

from entrypoints.http.web.session import CookieSessions


class BearerVerifier(Protocol):
    """``entrypoints.http.auth.JwtVerifier`` fits: the header in, the user id out."""

    def user_id(self, authorization: str | None) -> str:
        """The user id, or raises ``NotAuthenticated`` saying why."""
        ...


def authenticated_user(
    connection: ASGIConnection[Any, Any, Any, Any],
    verifier: BearerVerifier,
    sessions: CookieSessions | None,
) -> str:
    """The user id. A request with an ``Authorization`` header is judged by it alone (a
    cross-site page cannot set that header, so it needs no CSRF token); without one, the
    session cookie authenticates and an unsafe method must carry ``X-CSRF-Token``."""
    authorization = connection.headers.get("authorization")
    if authorization is None and sessions is not None:
        user_id = sessions.authenticate_cookie(connection)
        if user_id is not None:
            sessions.check_csrf(connection)
            return user_id
    return verifier.user_id(authorization)
