"""Bearer JWTs issued by the web app: pinned algorithm, required iss/aud/exp/sub."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

import jwt
from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp

from application.errors import NotAuthenticated
from entrypoints.http.web import CookieSessions, authenticated_user
from entrypoints.http.web.authentication import VerifiedToken
from entrypoints.jwt_settings import JwtSettings

_REASONS: list[tuple[type[jwt.PyJWTError], str]] = [
    (jwt.ExpiredSignatureError, "the token has expired"),
    (jwt.InvalidAudienceError, "the token is for another audience"),
    (jwt.InvalidIssuerError, "the token was issued by another issuer"),
    (jwt.InvalidSignatureError, "the token's signature does not verify"),
    (jwt.ImmatureSignatureError, "the token is not valid yet"),
    (jwt.InvalidAlgorithmError, "the token's algorithm is not the one this service accepts"),
    (jwt.MissingRequiredClaimError, "the token lacks a required claim"),
    (jwt.DecodeError, "the token is malformed"),
]


# Verified tokens a process remembers: a host app's token is sent with every request of
# its page for minutes, and its signature check and claim parsing were 9% of a summary.
VERIFIED_TOKENS_KEPT = 4096


class JwtVerifier:
    """Turns an ``Authorization`` header into the app's user id, or raises NotAuthenticated.

    A token that verified is remembered (up to ``cache_size``, the oldest forgotten first)
    and answered from memory until its ``exp`` passes (with the same leeway as the check);
    one that did not verify is checked again every time.
    """

    def __init__(self, settings: JwtSettings, *, cache_size: int = VERIFIED_TOKENS_KEPT) -> None:
        self._settings = settings
        self._cache_size = cache_size
        # The oldest evicted first, in O(1) (a dict's next(iter(...)) is not: event_intake.py).
        self._verified: OrderedDict[str, VerifiedToken] = OrderedDict()

    def user_id(self, authorization: str | None) -> str:
        return self.verify(authorization).user_id

    def verify(self, authorization: str | None) -> VerifiedToken:
        if not authorization:
            raise NotAuthenticated("missing Authorization header; send 'Bearer <JWT>'")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("the Authorization header must be 'Bearer <JWT>'")
        token = token.strip()
        known = self._verified.get(token)
        if known is not None:
            # PyJWT's own test: expired when exp <= now - leeway.
            if known.expires_at > time.time() - self._settings.leeway_seconds:
                return known
            del self._verified[token]
        verified = self._verify(token)
        if len(self._verified) >= self._cache_size:
            self._verified.popitem(last=False)
        self._verified[token] = verified
        return verified

    def _verify(self, token: str) -> VerifiedToken:
        claims = self._decode(token)
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject.strip():
            raise NotAuthenticated("the token's 'sub' claim must be the user id")
        expires, email = claims.get("exp"), claims.get("email")
        if not isinstance(expires, int | float):
            raise NotAuthenticated("the token's 'exp' claim must be a number")
        return VerifiedToken(subject, int(expires), email if isinstance(email, str) else None)

    def _decode(self, token: str) -> dict[str, Any]:
        s = self._settings
        try:
            return jwt.decode(
                token,
                s.verification_key,
                algorithms=[s.algorithm],
                audience=s.audience,
                issuer=s.issuer,
                leeway=s.leeway_seconds,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.MissingRequiredClaimError as error:
            raise NotAuthenticated(f"the token lacks the required {error.claim!r} claim") from error
        except jwt.PyJWTError as error:
            reason = next((r for kind, r in _REASONS if isinstance(error, kind)), None)
            raise NotAuthenticated(reason or "the token is invalid") from error


class JwtAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    """Authenticates before the body is read, so an anonymous caller always gets a 401.

    A Bearer token decides when present; otherwise the billing page's cookie session does,
    and then every unsafe method must carry the session's CSRF token.
    """

    def __init__(
        self, app: ASGIApp, verifier: JwtVerifier, sessions: CookieSessions | None = None
    ) -> None:
        super().__init__(app)
        self._verifier = verifier
        self._sessions = sessions

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        user_id = await authenticated_user(connection, self._verifier, self._sessions)
        return AuthenticationResult(user=user_id, auth=None)
