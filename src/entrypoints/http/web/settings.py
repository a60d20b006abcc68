"""The page's settings, read from PORTAL_SESSION_* (the support contact is the mail one).

=========================== ===================================== ======================================
Variable                    Default                               Meaning
=========================== ===================================== ======================================
PORTAL_SESSION_SECRET       random per process (sandbox only)     signs page sessions, at least 32 bytes;
                                                                  required with a STRIPE_SECRET_KEY
PORTAL_SESSION_TTL_MINUTES  480                                   longest page session lifetime, 5..10080
=========================== ===================================== ======================================
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from entrypoints.env import EnvReader
from entrypoints.http.web.session import MIN_SECRET_BYTES


@dataclass(frozen=True, slots=True)
class WebSettings:
    session_secret: str = field(repr=False)
    session_ttl_seconds: int = 8 * 3600
    uses_random_secret: bool = False


def read_web_settings(env: EnvReader, production: bool, *, sandbox: bool) -> WebSettings:
    """``sandbox``: no Stripe key, so a random per-process session secret may stand in."""
    secret, random_secret = env.raw("PORTAL_SESSION_SECRET"), False
    if secret is None:
        if production:
            env.problem("PORTAL_SESSION_SECRET", "is required when PORTAL_ENV=production")
        elif not sandbox:
            env.problem(
                "PORTAL_SESSION_SECRET",
                "is required when STRIPE_SECRET_KEY is set (a random per-process secret is "
                "for the sandbox only)",
            )
        # Development: sessions last as long as the process (and one process only).
        secret, random_secret = secrets.token_urlsafe(32), True
    elif len(secret.encode()) < MIN_SECRET_BYTES:
        env.problem("PORTAL_SESSION_SECRET", f"must be at least {MIN_SECRET_BYTES} bytes")
    minutes = env.number("PORTAL_SESSION_TTL_MINUTES", 480, int, 5, 10_080)
    return WebSettings(secret, minutes * 60, random_secret)
