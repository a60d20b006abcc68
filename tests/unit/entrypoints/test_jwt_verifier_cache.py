"""The API's JWT verifier remembers tokens that verified, until they expire, and no others."""

from __future__ import annotations

import time

import jwt
import pytest

from application.errors import NotAuthenticated
from entrypoints.http import auth
from entrypoints.http.auth import JwtVerifier
from entrypoints.jwt_settings import JwtSettings

SECRET = "a-shared-secret-that-is-long-enough-for-hs256!"
SETTINGS = JwtSettings("HS256", "https://app.example.test", "billing-portal-api", secret=SECRET)


def _bearer(sub: str, exp: float, secret: str = SECRET) -> str:
    claims = {"sub": sub, "exp": exp, "iss": SETTINGS.issuer, "aud": SETTINGS.audience}
    return "Bearer " + jwt.encode(claims, secret, algorithm="HS256")


def _counting(verifier: JwtVerifier) -> list[str]:
    decoded: list[str] = []
    decode = verifier._decode

    def counted(token: str) -> dict[str, object]:
        decoded.append(token)
        return decode(token)

    verifier._decode = counted  # type: ignore[method-assign]
    return decoded


def test_a_verified_token_is_answered_from_memory() -> None:
    verifier = JwtVerifier(SETTINGS)
    decoded = _counting(verifier)
    token = _bearer("user-1", time.time() + 600)

    assert verifier.user_id(token) == "user-1"
    assert verifier.user_id(token) == "user-1"
    assert len(decoded) == 1


def test_a_refused_token_is_checked_every_time() -> None:
    verifier = JwtVerifier(SETTINGS)
    decoded = _counting(verifier)
    forged = _bearer("user-1", time.time() + 600, secret="another-secret-that-is-long-enough!!")

    for _ in range(2):
        with pytest.raises(NotAuthenticated, match="signature"):
            verifier.user_id(forged)
    assert len(decoded) == 2


def test_a_remembered_token_is_checked_again_once_its_exp_passes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    verifier = JwtVerifier(SETTINGS)
    decoded = _counting(verifier)
    now = time.time()
    token = _bearer("user-1", int(now) + 60)
    verifier.user_id(token)

    still = int(now) + 60 + SETTINGS.leeway_seconds - 1  # PyJWT: valid while exp > now - leeway
    monkeypatch.setattr(auth.time, "time", lambda: still)
    verifier.user_id(token)
    assert len(decoded) == 1

    expired = still + 1
    monkeypatch.setattr(auth.time, "time", lambda: expired)
    verifier.user_id(token)  # PyJWT's own clock decides now (the real one: still valid)
    assert len(decoded) == 2


def test_the_oldest_token_is_forgotten_first() -> None:
    verifier = JwtVerifier(SETTINGS, cache_size=2)
    decoded = _counting(verifier)
    exp = time.time() + 600
    first, second, third = (_bearer(f"user-{n}", exp) for n in range(3))
    for token in (first, second, third, third, second, first):
        verifier.user_id(token)
    assert len(decoded) == 4  # first, second, third, then first again
