"""What production refuses unless an operator opts in, one variable per exception.

SQLite (one writer, no concurrent workers or API processes), an ``http://`` app base URL
(return URLs and emailed links without TLS) and the offline Stripe sandbox are fine for a
demo and wrong for customers; each is refused with ``PORTAL_ENV=production`` unless its
``PORTAL_ALLOW_*_IN_PRODUCTION=1`` says the operator means it.
"""

from __future__ import annotations

from entrypoints.env import EnvReader

ALLOW_SQLITE = "PORTAL_ALLOW_SQLITE_IN_PRODUCTION"
ALLOW_HTTP = "PORTAL_ALLOW_HTTP_IN_PRODUCTION"
ALLOW_SANDBOX = "PORTAL_ALLOW_SANDBOX_IN_PRODUCTION"

# What each opt-in lets through, for the start-up warning.
OPT_IN_EFFECTS = {
    ALLOW_SQLITE: "production runs on SQLite (one process; no concurrent API processes or workers)",
    ALLOW_HTTP: "production serves an http:// PORTAL_APP_BASE_URL (links without TLS)",
    ALLOW_SANDBOX: "production talks to the offline Stripe sandbox, not Stripe",
}

_YES, _NO = ("1", "true", "yes"), ("0", "false", "no")


def opted_in(env: EnvReader, name: str) -> bool:
    value = (env.raw(name) or "0").lower()
    if value not in _YES + _NO:
        env.problem(name, f"{value!r} must be 1 (allow) or 0")
        return False
    return value in _YES


def production_opt_ins(
    env: EnvReader,
    *,
    production: bool,
    database_url: str,
    app_base_url: str,
    stripe_sandbox: bool,
    stripe_api_base: str | None,
) -> tuple[str, ...]:
    """Record a problem for each refused setting; return the opt-ins actually relied on."""
    for name in OPT_IN_EFFECTS:  # a value other than 1 or 0 is a typo even where it is not needed
        opted_in(env, name)
    if not production:
        return ()
    used: list[str] = []
    if database_url.startswith("sqlite"):
        if opted_in(env, ALLOW_SQLITE):
            used.append(ALLOW_SQLITE)
        else:
            env.problem(
                "PORTAL_DATABASE_URL",
                f"SQLite is refused in production; use PostgreSQL or set {ALLOW_SQLITE}=1",
            )
    if app_base_url.startswith("http://"):
        if opted_in(env, ALLOW_HTTP):
            used.append(ALLOW_HTTP)
        else:
            env.problem(
                "PORTAL_APP_BASE_URL",
                f"must be https:// in production, or set {ALLOW_HTTP}=1",
            )
    plain_api = stripe_api_base is not None and stripe_api_base.startswith("http://")
    if stripe_sandbox or plain_api:
        if opted_in(env, ALLOW_SANDBOX):
            used.append(ALLOW_SANDBOX)
        else:
            variable = "STRIPE_API_BASE" if plain_api else "STRIPE_SECRET_KEY"
            env.problem(
                variable,
                "production refuses the Stripe sandbox (set STRIPE_SECRET_KEY and leave "
                f"STRIPE_API_BASE to Stripe's https address), or set {ALLOW_SANDBOX}=1",
            )
    return tuple(used)


def opt_in_warnings(opt_ins: tuple[str, ...]) -> list[str]:
    """One start-up line per opt-in relied on, naming its variable."""
    return [f"{name}=1: {OPT_IN_EFFECTS[name]}" for name in opt_ins]
