"""Real JWTs for the tests: HS256 with a shared secret, RS256 and ES256 with fresh keys."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

ISSUER = "https://app.example.test"
AUDIENCE = "billing-portal-api"
HS_SECRET = "a-shared-secret-that-is-long-enough-for-hs256!"


def _pem_public(key: Any) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
RSA_PUBLIC_PEM = _pem_public(RSA_KEY)
EC_PUBLIC_PEM = _pem_public(EC_KEY)


@dataclass(frozen=True)
class TokenIssuer:
    """Mints tokens the way the web app would; every claim can be changed or dropped."""

    algorithm: str = "HS256"
    key: Any = HS_SECRET
    defaults: dict[str, Any] = field(default_factory=dict)

    def token(self, sub: str | None, *, drop: tuple[str, ...] = (), **claims: Any) -> str:
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + 300,
            **({"sub": sub} if sub is not None else {}),
            **claims,
        }
        for name in drop:
            payload.pop(name, None)
        return jwt.encode(payload, self.key, algorithm=self.algorithm)

    def headers(self, sub: str, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(sub, **claims)}"}


HS256 = TokenIssuer()
RS256 = TokenIssuer("RS256", RSA_KEY)
ES256 = TokenIssuer("ES256", EC_KEY)


def unsigned_token(sub: str) -> str:
    """An ``alg: none`` token, the classic downgrade attack."""
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": AUDIENCE, "exp": now + 300, "sub": sub}
    return jwt.encode(payload, None, algorithm="none")
