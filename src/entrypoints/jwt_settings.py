"""How bearer tokens from the web app are verified; read from the PORTAL_JWT_* variables."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from entrypoints.env import EnvReader

JWT_ALGORITHMS = ("HS256", "RS256", "ES256")
# Development only: lets `make run` and local tests mint tokens without configuration.
DEV_JWT_SECRET = "billing-portal-development-only-secret-do-not-deploy"
DEV_JWT_ISSUER = "billing-portal-dev"
DEV_JWT_AUDIENCE = "billing-portal"


@dataclass(frozen=True, slots=True)
class JwtSettings:
    """One pinned algorithm and its key; ``iss``, ``aud`` and ``exp`` are always required."""

    algorithm: str
    issuer: str
    audience: str
    secret: str | None = field(default=None, repr=False)
    public_key: str | None = field(default=None, repr=False)
    leeway_seconds: int = 30
    uses_dev_secret: bool = False

    @property
    def verification_key(self) -> str:
        key = self.secret if self.algorithm == "HS256" else self.public_key
        assert key is not None, "validated when the settings were read"
        return key


def _public_key(env: EnvReader, algorithm: str) -> str | None:
    name = "PORTAL_JWT_PUBLIC_KEY"
    value = env.raw(name)
    if value is None:
        env.problem(name, f"is required for {algorithm} (PEM text or a path to a PEM file)")
        return None
    if not value.startswith("-----BEGIN"):
        path = Path(value).expanduser()
        if not path.is_file():
            env.problem(name, f"is neither PEM text nor a readable file: {value!r}")
            return None
        value = path.read_text(encoding="utf-8")
    try:
        key = load_pem_public_key(value.encode())
    except ValueError:
        env.problem(name, "is not a PEM-encoded public key")
        return None
    expected = rsa.RSAPublicKey if algorithm == "RS256" else ec.EllipticCurvePublicKey
    if not isinstance(key, expected):
        kind = "an RSA" if algorithm == "RS256" else "an EC (P-256)"
        env.problem(name, f"{algorithm} needs {kind} public key")
        return None
    return value


def read_jwt_settings(env: EnvReader, production: bool, *, sandbox: bool) -> JwtSettings:
    """``sandbox``: no Stripe key, so the public development secret may stand in (it lets
    anyone mint a token for any user, so never next to a real Stripe account)."""
    algorithm = env.choice("PORTAL_JWT_ALGORITHM", JWT_ALGORITHMS, "HS256")
    issuer, audience = env.raw("PORTAL_JWT_ISSUER"), env.raw("PORTAL_JWT_AUDIENCE")
    if production:
        for name, value in (("PORTAL_JWT_ISSUER", issuer), ("PORTAL_JWT_AUDIENCE", audience)):
            if value is None:
                env.problem(name, "is required when PORTAL_ENV=production")
    leeway = env.number("PORTAL_JWT_LEEWAY_SECONDS", 30, int, 0, 300)
    secret, public_key, dev = env.raw("PORTAL_JWT_SECRET"), None, False
    if algorithm == "HS256":
        if secret is None and production:
            env.problem("PORTAL_JWT_SECRET", "is required for HS256 when PORTAL_ENV=production")
        elif secret is None and not sandbox:
            env.problem(
                "PORTAL_JWT_SECRET",
                "is required for HS256 when STRIPE_SECRET_KEY is set "
                "(the built-in development secret is public; only the sandbox may use it)",
            )
        elif secret is None:
            secret, dev = DEV_JWT_SECRET, True
        elif secret == DEV_JWT_SECRET and not sandbox:
            env.problem(
                "PORTAL_JWT_SECRET",
                "is the public development secret; set a secret of your own (at least 32 bytes)",
            )
        elif len(secret.encode()) < 32:
            env.problem("PORTAL_JWT_SECRET", "must be at least 32 bytes for HS256")
    else:
        secret, public_key = None, _public_key(env, algorithm)
    return JwtSettings(
        algorithm=algorithm,
        issuer=issuer or DEV_JWT_ISSUER,
        audience=audience or DEV_JWT_AUDIENCE,
        secret=secret,
        public_key=public_key,
        leeway_seconds=leeway,
        uses_dev_secret=dev,
    )
