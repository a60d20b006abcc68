"""Every setting, set to a bad value, stops start-up with a message naming the variable.

One row per variable the code reads (the completeness test finds them in the sources, so
a new variable without a row fails here); ``test_settings`` holds the exact messages.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from entrypoints.settings import SettingsError, load_settings

SOURCES = Path(__file__).resolve().parents[3] / "src" / "entrypoints"
SMTP = {"PORTAL_MAIL_BACKEND": "smtp", "PORTAL_SMTP_HOST": "smtp.example.test"}
LIVE = {
    "PORTAL_ENV": "production",
    "STRIPE_SECRET_KEY": "sk_live_abcdefghijklmnop",
    "PORTAL_DATABASE_URL": "postgresql+asyncpg://portal@db.internal/portal",
    "PORTAL_JWT_SECRET": "j" * 40,
    "PORTAL_JWT_ISSUER": "https://app.example.com",
    "PORTAL_JWT_AUDIENCE": "billing-portal",
    "STRIPE_WEBHOOK_SECRETS": "whsec_current",
    "PORTAL_MAIL_FROM": "Billing <billing@example.com>",
    "PORTAL_SMTP_HOST": "smtp.example.com",
    "PORTAL_SESSION_SECRET": "s" * 40,
    "PORTAL_APP_BASE_URL": "https://app.example.com",
}

# variable -> (the bad value, other variables it needs to be read at all)
BAD_VALUES: dict[str, tuple[str, dict[str, str]]] = {
    "PORTAL_ENV": ("staging", {}),
    "PORTAL_DATA_DIR": (__file__, {}),
    "PORTAL_DATABASE_URL": ("mysql://x/y", {}),
    "STRIPE_SECRET_KEY": ("pk_test_123", {}),
    "STRIPE_API_BASE": ("ftp://stripe.example", {}),
    "STRIPE_API_VERSION": ("yesterday", {}),
    "STRIPE_TIMEOUT_SECONDS": ("0", {}),
    "STRIPE_MAX_NETWORK_RETRIES": ("11", {}),
    "STRIPE_PORTAL_DEADLINE_SECONDS": ("0.1", {}),
    "PORTAL_APP_BASE_URL": ("app.example.com", {}),
    "PORTAL_RETURN_PATHS": ("/billing,//evil.example", {}),
    "PORTAL_DEFAULT_RETURN_PATH": ("/elsewhere", {}),
    "PORTAL_PRICING_PATH": ("https://evil.example/pricing", {}),
    "PORTAL_REACTIVATION_PATH": ("//evil.example", {}),
    "PORTAL_COMPLETE_PAYMENT_PATH": ("javascript:alert(1)", {}),
    "PORTAL_SEGMENTS": ("b2b", {}),
    "PORTAL_DEFAULT_CONFIGURATION": ("B2C Plan!", {}),
    "PORTAL_RESTRICTED_VARIANTS": ("b2b", {}),
    "PORTAL_MULTIPLE_SUBSCRIPTIONS_CONFIGURATION": ("../etc", {}),
    "PORTAL_TENURE_MONTHS": ("-1", {}),
    "PORTAL_RULE_ORDER": ("segment,teleport", {}),
    "PORTAL_JWT_ALGORITHM": ("none", {}),
    "PORTAL_JWT_SECRET": ("short", {}),
    "PORTAL_JWT_PUBLIC_KEY": ("not a pem", {"PORTAL_JWT_ALGORITHM": "RS256"}),
    "PORTAL_JWT_ISSUER": ("", {"PORTAL_ENV": "production"}),
    "PORTAL_JWT_AUDIENCE": ("", {"PORTAL_ENV": "production"}),
    "PORTAL_JWT_LEEWAY_SECONDS": ("301", {}),
    "PORTAL_RATE_LIMIT": ("0", {}),
    "PORTAL_RATE_WINDOW_SECONDS": ("0", {}),
    "STRIPE_WEBHOOK_SECRETS": ("whsec_ok,sk_test_oops", {}),
    "STRIPE_WEBHOOK_TOLERANCE_SECONDS": ("0", {}),
    "STRIPE_LIVEMODE": ("maybe", {}),
    "PORTAL_WEBHOOK_MAX_BYTES": ("100", {}),
    "PORTAL_SYNC_ALWAYS_REFETCH": ("yes", {}),
    "PORTAL_WORKER_BATCH_SIZE": ("0", {}),
    "PORTAL_WORKER_POLL_SECONDS": ("0", {}),
    "PORTAL_WORKER_CONCURRENCY": ("17", {}),
    "PORTAL_WORKER_MAX_ATTEMPTS": ("0", {}),
    "PORTAL_WORKER_LEASE_SECONDS": ("2", {}),
    "PORTAL_MAIL_BACKEND": ("pigeon", {}),
    "PORTAL_MAIL_DIR": (__file__, {}),
    "PORTAL_MAIL_FROM": ("nobody", {}),
    "PORTAL_SMTP_HOST": ("", SMTP),
    "PORTAL_SMTP_PORT": ("70000", SMTP),
    "PORTAL_SMTP_USERNAME": ("mailer", SMTP),
    "PORTAL_SMTP_PASSWORD": ("p4ssw0rd-only", SMTP),
    "PORTAL_SMTP_TLS": ("ssl", SMTP),
    "PORTAL_SMTP_TIMEOUT": ("0", SMTP),
    "PORTAL_BILLING_PAGE_URL": ("/billing", {}),
    "PORTAL_SUPPORT_EMAIL": ("help desk", {}),
    "PORTAL_HOST": ("local host", {}),
    "PORTAL_PORT": ("70000", {}),
    "PORTAL_LOG_FORMAT": ("xml", {}),
    "PORTAL_LOG_LEVEL": ("LOUD", {}),
    "PORTAL_RETAIN_INBOX_DAYS": ("29", {}),
    "PORTAL_RETAIN_OUTBOX_DAYS": ("0", {}),
    "PORTAL_RETAIN_RATE_LIMIT_DAYS": ("0", {}),
    "PORTAL_RETAIN_AUDIT_DAYS": ("0", {}),
    "PORTAL_PRUNE_BATCH_SIZE": ("0", {}),
    "PORTAL_ALLOW_SQLITE_IN_PRODUCTION": ("maybe", LIVE),
    "PORTAL_ALLOW_HTTP_IN_PRODUCTION": ("maybe", LIVE),
    "PORTAL_ALLOW_SANDBOX_IN_PRODUCTION": ("maybe", LIVE),
    "PORTAL_SESSION_SECRET": ("short", {}),
    "PORTAL_SESSION_TTL_MINUTES": ("1", {}),
    "PORTAL_AUTOLINK_CHECKOUT": ("on", {}),
    "PORTAL_AUTOLINK_METADATA": ("maybe", {}),
    "PORTAL_AUTOLINK_USER_ID_KEY": ("user[id]", {}),
    "PORTAL_AUTOLINK_SEGMENT_KEY": ("app_user_id", {}),
    "PORTAL_AUTOLINK_DEFAULT_SEGMENT": ("gold", {}),
}


# Checked when the command that needs it starts, naming the variable too:
# `billing-portal serve` with a missing catalog (tests/integration/cli/test_cli_commands.py).
CHECKED_BY_THE_COMMAND = {"PORTAL_CATALOG_PATH"}


def variables_read_by_the_code() -> set[str]:
    names: set[str] = set()
    for source in SOURCES.rglob("*.py"):
        names |= set(re.findall(r'"((?:PORTAL|STRIPE)_[A-Z_]+)"', source.read_text()))
    return names


def test_every_variable_the_code_reads_has_a_bad_value_row() -> None:
    assert variables_read_by_the_code() - set(BAD_VALUES) - CHECKED_BY_THE_COMMAND == set()


@pytest.mark.parametrize(("variable", "bad"), sorted(BAD_VALUES.items()))
def test_a_bad_value_stops_start_up_naming_the_variable(
    variable: str, bad: tuple[str, dict[str, str]]
) -> None:
    value, context = bad

    with pytest.raises(SettingsError) as raised:
        load_settings({**context, variable: value})

    assert variable in str(raised.value)
