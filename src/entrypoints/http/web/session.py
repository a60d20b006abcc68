"""Cookie sessions for the billing page: a server-signed token and a CSRF token bound to it.

The cookie holds an HS256 JWT (``sub`` = the app's user id, ``sid`` = a random session id,
``exp``) signed with a key derived from the server-side session secret. The CSRF token is
an HMAC of ``sid`` under a second derived key: the page reads it from ``GET /api/session``
and sends it as ``X-CSRF-Token`` on every POST/PUT/PATCH/DELETE. Bearer-token calls carry
no cookie authority and need none.

Every session is also kept server-side (a ``PageSessionStore``, shared by all processes):
a cookie counts only while its session is there, so signing out ends it everywhere and a
replayed cookie finds nothing. A session never outlives the host app's token it was
opened with (``not_after``), nor the configured lifetime.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import jwt
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie

from application.errors import NotAuthenticated
from application.ports.page_sessions import PageSession, PageSessionStore
from entrypoints.http.web.errors import CsrfRejected

SESSION_COOKIE = "billing_portal_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
MIN_SECRET_BYTES = 32
_AUDIENCE = "billing-portal:web-session"
_ALGORITHM = "HS256"


@dataclass(frozen=True, slots=True)
class WebSession:
    user_id: str
    session_id: str
    expires_at: int
    csrf_token: str
    email: str | None = None


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _derive(secret: str, purpose: str) -> bytes:
    # One secret, two independent keys: a CSRF token can never verify as a session token.
    return hmac.new(secret.encode(), f"billing-portal/{purpose}".encode(), hashlib.sha256).digest()


class CookieSessions:
    """Issues, reads and clears the session cookie; checks CSRF tokens.

    ``secure=None`` decides per request: ``Secure`` unless the page is served over plain
    HTTP on a loopback host (localhost, 127.0.0.1, ::1) and the app base URL is not HTTPS.
    """

    def __init__(
        self,
        secret: str,
        *,
        store: PageSessionStore,
        app_base_url: str,
        ttl_seconds: int = 8 * 3600,
        secure: bool | None = None,
        clock: Callable[[], float] = time.time,
        cookie_name: str = SESSION_COOKIE,
    ) -> None:
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"the session secret must be at least {MIN_SECRET_BYTES} bytes")
        if ttl_seconds <= 0:
            raise ValueError("the session lifetime must be positive")
        self._store = store
        self._token_key = _derive(secret, "session-token")
        self._csrf_key = _derive(secret, "csrf-token")
        self._base_is_https = urlsplit(app_base_url).scheme == "https"
        self.app_base_url = app_base_url.rstrip("/")
        self.ttl_seconds = ttl_seconds
        self._secure = secure
        self._clock = clock
        self.cookie_name = cookie_name

    def __deepcopy__(self, memo: dict[int, Any]) -> CookieSessions:
        # Litestar deep-copies routers with their middleware arguments; every copy must
        # keep sharing this one (immutable) service and its clock.
        return self

    # -- tokens ---------------------------------------------------------------------------

    async def open(
        self, user_id: str, *, email: str | None = None, not_after: int | None = None
    ) -> tuple[WebSession, str]:
        """A new session for ``user_id``, kept in the store, and the token its cookie
        carries. It ends after the lifetime, or at ``not_after`` (the host app token's
        ``exp``) when that comes first."""
        now = int(self._clock())
        expires = now + self.ttl_seconds
        if not_after is not None:
            expires = min(expires, not_after)
        if expires <= now:
            raise NotAuthenticated("the token has expired")
        session_id = secrets.token_urlsafe(18)
        record = PageSession(session_id, user_id, _at(expires), email)
        await self._store.open(record, now=_at(now))
        token = self.sign(user_id, session_id, expires)
        return self._session(user_id, session_id, expires, email), token

    def sign(self, user_id: str, session_id: str, expires_at: int) -> str:
        """The cookie's signed token for a session (``open`` keeps the session too)."""
        claims = {
            "sub": user_id,
            "sid": session_id,
            "iat": int(self._clock()),
            "exp": expires_at,
            "aud": _AUDIENCE,
        }
        return jwt.encode(claims, self._token_key, algorithm=_ALGORITHM)

    async def read(self, token: str) -> WebSession:
        """The session a token carries; ``NotAuthenticated`` when forged, expired or ended."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._token_key,
                algorithms=[_ALGORITHM],
                audience=_AUDIENCE,
                # time is checked below against the injected clock
                options={
                    "require": ["sub", "sid", "exp", "aud"],
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError as error:
            raise NotAuthenticated("the session is invalid; sign in again") from error
        user_id, session_id, expires = claims["sub"], claims["sid"], claims["exp"]
        if not isinstance(user_id, str) or not isinstance(session_id, str) or not user_id:
            raise NotAuthenticated("the session is invalid; sign in again")
        if not isinstance(expires, int) or expires <= self._clock():
            raise NotAuthenticated("the session has expired; sign in again")
        kept = await self._store.find(session_id, now=_at(self._clock()))
        if kept is None or kept.user_id != user_id:
            raise NotAuthenticated("the session has ended (signed out); sign in again")
        return self._session(user_id, session_id, expires, kept.email)

    async def close(self, session: WebSession) -> None:
        """Sign out: the session ends for every process, whoever holds its cookie."""
        await self._store.close(session.session_id)

    def csrf_token_for(self, session_id: str) -> str:
        digest = hmac.new(self._csrf_key, session_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def _session(
        self, user_id: str, session_id: str, expires_at: int, email: str | None
    ) -> WebSession:
        csrf = self.csrf_token_for(session_id)
        return WebSession(user_id, session_id, expires_at, csrf, email)

    # -- requests -------------------------------------------------------------------------

    async def session_of(self, connection: ASGIConnection[Any, Any, Any, Any]) -> WebSession | None:
        """None without a cookie; ``NotAuthenticated`` when it is forged, expired or ended."""
        token = connection.cookies.get(self.cookie_name)
        return await self.read(token) if token else None

    def check_csrf(
        self, connection: ASGIConnection[Any, Any, Any, Any], session: WebSession
    ) -> None:
        """For a request authenticated by ``session``'s cookie: an unsafe method must carry
        the session's CSRF token in ``X-CSRF-Token``; raises ``CsrfRejected`` otherwise."""
        method = connection.scope.get("method", "GET")
        if method in SAFE_METHODS:
            return
        sent = connection.headers.get(CSRF_HEADER)
        if not sent:
            raise CsrfRejected(
                f"the {CSRF_HEADER} header is missing; reload the page and try again"
            )
        if not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
            raise CsrfRejected(
                f"the {CSRF_HEADER} header does not match this session; reload the page"
            )

    # -- cookies --------------------------------------------------------------------------

    def secure_for(self, connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
        if self._secure is not None:
            return self._secure
        if self._base_is_https or connection.url.scheme == "https":
            return True
        return not is_loopback_host(connection.url.hostname)

    def cookie(
        self, connection: ASGIConnection[Any, Any, Any, Any], token: str, session: WebSession
    ) -> Cookie:
        return Cookie(
            key=self.cookie_name,
            value=token,
            path="/",
            max_age=max(0, session.expires_at - int(self._clock())),
            secure=self.secure_for(connection),
            httponly=True,
            samesite="lax",
        )

    def clearing_cookie(self, connection: ASGIConnection[Any, Any, Any, Any]) -> Cookie:
        return Cookie(
            key=self.cookie_name,
            value="",
            path="/",
            max_age=0,
            expires=0,
            secure=self.secure_for(connection),
            httponly=True,
            samesite="lax",
        )


def _at(epoch_seconds: float) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, UTC)
