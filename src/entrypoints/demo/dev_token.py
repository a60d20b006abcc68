"""Development-only bearer tokens, so a person can call the API of `make run` by hand."""

from __future__ import annotations

import time

import jwt

from application.errors import InvalidRequest
from entrypoints.settings import Settings


def issue_dev_token(settings: Settings, user_id: str, *, minutes: int = 60) -> str:
    """A token the running service accepts for ``user_id``, signed with the HS256 secret.

    Refused in production and for RS256/ES256 (the web app holds the private key there).
    """
    if settings.production:
        raise InvalidRequest("dev tokens are for development only (PORTAL_ENV=production)")
    if settings.jwt.algorithm != "HS256" or not settings.jwt.secret:
        raise InvalidRequest(
            f"dev tokens need PORTAL_JWT_ALGORITHM=HS256 (it is {settings.jwt.algorithm}); "
            "the web app signs tokens for asymmetric algorithms"
        )
    now = int(time.time())
    claims = {
        "sub": user_id,
        "iss": settings.jwt.issuer,
        "aud": settings.jwt.audience,
        "iat": now,
        "exp": now + 60 * minutes,
    }
    return jwt.encode(claims, settings.jwt.secret, algorithm="HS256")
