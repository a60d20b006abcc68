"""The portal rules' parameters and return URLs, read from the PORTAL_* variables."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from application.open_portal import PortalAccessSettings
from domain.errors import InvalidReturnPath
from domain.portal_policy import DEFAULT_RULE_ORDER, PortalPolicy, PortalRule
from domain.return_url import ReturnUrlPolicy, build_return_url
from entrypoints.env import EnvReader

_DEFAULTS = PortalPolicy()


def read_base_url(env: EnvReader, name: str, default: str | None) -> str | None:
    value = env.raw(name) or default
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        env.problem(name, f"{value!r} is not an http(s) URL")
    elif parts.query or parts.fragment:
        env.problem(name, f"{value!r} may not carry a query string or fragment")
    return value.rstrip("/")


def _path(env: EnvReader, name: str, default: str) -> str:
    value = env.text(name, default)
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        env.problem(name, f"{value!r} must be a path on the app starting with a single '/'")
    return value


def _rules(env: EnvReader) -> tuple[PortalRule, ...]:
    names = env.items("PORTAL_RULE_ORDER", ",".join(DEFAULT_RULE_ORDER))
    valid = ", ".join(PortalRule)
    rules = []
    for name in names:
        try:
            rules.append(PortalRule(name))
        except ValueError:
            env.problem("PORTAL_RULE_ORDER", f"{name!r} is not a rule; use: {valid}")
    return tuple(rules) or DEFAULT_RULE_ORDER


# The catalog's own rule for a configuration's name (domain/catalog/parse.py).
_CONFIGURATION_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_A_CONFIGURATION_NAME = "a configuration name (lower-case letters, digits, '_', '-')"


def _policy(env: EnvReader) -> PortalPolicy:
    fields = dict(
        pricing_path=_path(env, "PORTAL_PRICING_PATH", _DEFAULTS.pricing_path),
        reactivation_path=_path(env, "PORTAL_REACTIVATION_PATH", _DEFAULTS.reactivation_path),
        complete_payment_path=_path(
            env, "PORTAL_COMPLETE_PAYMENT_PATH", _DEFAULTS.complete_payment_path
        ),
        segment_configurations=env.pairs("PORTAL_SEGMENTS", "enterprise=b2b,b2b=b2b,b2c=b2c"),
        default_configuration=env.matching(
            "PORTAL_DEFAULT_CONFIGURATION",
            _DEFAULTS.default_configuration,
            _CONFIGURATION_NAME,
            _A_CONFIGURATION_NAME,
        ),
        multiple_subscriptions_configuration=env.matching(
            "PORTAL_MULTIPLE_SUBSCRIPTIONS_CONFIGURATION",
            _DEFAULTS.multiple_subscriptions_configuration,
            _CONFIGURATION_NAME,
            _A_CONFIGURATION_NAME,
        ),
        restricted_variants=env.pairs(
            "PORTAL_RESTRICTED_VARIANTS", "b2b=b2b_restricted,b2c=b2c_restricted"
        ),
    )
    tenure = env.number("PORTAL_TENURE_MONTHS", 6, int, 0, 120)
    rules = _rules(env)
    try:
        return PortalPolicy(**fields, tenure_months=tenure, rules=rules)  # type: ignore[arg-type]
    except ValueError as error:
        # The policy checks rules, segments and tenure together: name every variable involved.
        variable = (
            "PORTAL_RULE_ORDER"
            if "portal rule" in str(error)
            else ("PORTAL_SEGMENTS / PORTAL_RESTRICTED_VARIANTS / PORTAL_TENURE_MONTHS")
        )
        env.problem(variable, str(error))
        return PortalPolicy(tenure_months=0)


def _return_urls(env: EnvReader, app_base_url: str) -> ReturnUrlPolicy:
    allowed = env.items("PORTAL_RETURN_PATHS", "/billing")
    default = env.text("PORTAL_DEFAULT_RETURN_PATH", allowed[0] if allowed else "/billing")
    policy = ReturnUrlPolicy(app_base_url, allowed_paths=allowed, default_path=default)
    for path in allowed:
        try:
            build_return_url(policy, path)
        except InvalidReturnPath as error:
            env.problem("PORTAL_RETURN_PATHS", error.message)
    if default not in allowed:
        env.problem("PORTAL_DEFAULT_RETURN_PATH", f"{default!r} is not one of PORTAL_RETURN_PATHS")
    return policy


def read_portal_settings(env: EnvReader) -> PortalAccessSettings:
    base_url = read_base_url(env, "PORTAL_APP_BASE_URL", "http://localhost:8000")
    return PortalAccessSettings(
        policy=_policy(env),
        return_urls=_return_urls(env, base_url or "http://localhost:8000"),
        rate_limit=env.number("PORTAL_RATE_LIMIT", 10, int, 1, 10_000),
        rate_window_seconds=env.number("PORTAL_RATE_WINDOW_SECONDS", 60, int, 1, 86_400),
        provider_deadline_seconds=env.number(
            "STRIPE_PORTAL_DEADLINE_SECONDS", 15.0, float, 0.5, 300.0
        ),
    )
