"""Settings: defaults that run the demo, and a message naming the variable for a bad value."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from domain.portal_policy import PortalRule
from entrypoints.settings import Settings, SettingsError, load_settings

PRODUCTION = {
    "PORTAL_ENV": "production",
    "STRIPE_SECRET_KEY": "sk_live_abcdefghijklmnop",
    "PORTAL_DATABASE_URL": "postgresql://portal:s3cret-pw@db.internal/portal",
    "PORTAL_JWT_SECRET": "x" * 40,
    "PORTAL_JWT_ISSUER": "https://app.example.com",
    "PORTAL_JWT_AUDIENCE": "billing-portal",
    "STRIPE_WEBHOOK_SECRETS": "whsec_current_one, whsec_previous_one",
    "PORTAL_MAIL_FROM": "Acme Billing <billing@acme.example>",
    "PORTAL_SMTP_HOST": "smtp.acme.example",
    "PORTAL_SMTP_USERNAME": "mailer",
    "PORTAL_SMTP_PASSWORD": "smtp-pass-word",
    "PORTAL_SESSION_SECRET": "session-" + "y" * 40,
    "PORTAL_APP_BASE_URL": "https://app.example.com",
}


OWN_SECRETS = {
    "PORTAL_JWT_SECRET": PRODUCTION["PORTAL_JWT_SECRET"],
    "PORTAL_SESSION_SECRET": PRODUCTION["PORTAL_SESSION_SECRET"],
}


def public_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def problems_for(env: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as raised:
        load_settings(env)
    return str(raised.value)


def test_development_defaults_run_against_the_local_sandbox() -> None:
    settings = load_settings({})

    assert settings.environment == "development"
    assert settings.stripe_sandbox
    assert settings.stripe.api_key == "sk_test_sandbox"
    assert settings.stripe.api_base == "http://127.0.0.1:12111"
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.database_url.endswith("var/billing-portal.db")
    assert settings.jwt.uses_dev_secret
    assert settings.log_format == "console"
    assert settings.port == 8000
    assert settings.portal.rate_limit == 10
    assert settings.portal.return_urls.allowed_paths == ("/billing",)
    assert dict(settings.portal.policy.segment_configurations) == {
        "enterprise": "b2b",
        "b2b": "b2b",
        "b2c": "b2c",
    }


def test_production_reads_everything_and_keeps_secrets_out_of_the_repr() -> None:
    settings = load_settings(PRODUCTION)

    assert not settings.stripe_sandbox
    assert settings.stripe.api_base is None
    assert settings.log_format == "json"
    text = repr(settings)
    for secret in (
        "sk_live_abcdefghijklmnop",
        "s3cret-pw",
        "x" * 40,
        "whsec_current_one",
        "smtp-pass-word",
        "session-" + "y" * 40,
    ):
        assert secret not in text
    assert settings.safe_database_url == "postgresql://portal:***@db.internal/portal"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORTAL_ENV": "staging"}, "PORTAL_ENV: 'staging' is not one of development, production"),
        (
            {"PORTAL_JWT_ALGORITHM": "none"},
            "PORTAL_JWT_ALGORITHM: 'none' is not one of HS256, RS256, ES256",
        ),
        ({"PORTAL_JWT_SECRET": "short"}, "PORTAL_JWT_SECRET: must be at least 32 bytes"),
        ({"PORTAL_JWT_ALGORITHM": "RS256"}, "PORTAL_JWT_PUBLIC_KEY: is required for RS256"),
        ({"STRIPE_SECRET_KEY": "pk_test_123"}, "STRIPE_SECRET_KEY: must start with sk_test_"),
        ({"STRIPE_API_BASE": "ftp://x"}, "STRIPE_API_BASE: 'ftp://x' is not an http(s) URL"),
        ({"STRIPE_TIMEOUT_SECONDS": "soon"}, "STRIPE_TIMEOUT_SECONDS: 'soon' is not a float"),
        ({"PORTAL_PORT": "70000"}, "PORTAL_PORT: 70000 is outside 1..65535"),
        ({"PORTAL_RATE_LIMIT": "0"}, "PORTAL_RATE_LIMIT: 0 is outside 1..10000"),
        ({"PORTAL_DATABASE_URL": "mysql://x/y"}, "PORTAL_DATABASE_URL: must be a postgresql"),
        ({"PORTAL_SEGMENTS": "b2b"}, "PORTAL_SEGMENTS: 'b2b' is not a name=configuration pair"),
        ({"PORTAL_RULE_ORDER": "segment,teleport"}, "PORTAL_RULE_ORDER: 'teleport' is not a rule"),
        (
            {"PORTAL_RULE_ORDER": "segment,never_subscribed"},
            "PORTAL_RULE_ORDER: the portal rules must end with 'segment'",
        ),
        ({"PORTAL_RETURN_PATHS": "/billing,https://evil"}, "PORTAL_RETURN_PATHS: return_path"),
        (
            {"PORTAL_DEFAULT_RETURN_PATH": "/account"},
            "PORTAL_DEFAULT_RETURN_PATH: '/account' is not one of PORTAL_RETURN_PATHS",
        ),
        ({"PORTAL_PRICING_PATH": "//evil.example"}, "PORTAL_PRICING_PATH: '//evil.example'"),
        ({"PORTAL_LOG_FORMAT": "xml"}, "PORTAL_LOG_FORMAT: 'xml' is not one of json, console"),
        (
            {"STRIPE_WEBHOOK_SECRETS": "whsec_ok,sk_test_oops"},
            "STRIPE_WEBHOOK_SECRETS: every secret must be a whsec_... signing secret",
        ),
        (
            {"STRIPE_WEBHOOK_TOLERANCE_SECONDS": "0"},
            "STRIPE_WEBHOOK_TOLERANCE_SECONDS: 0 is outside 1..3600",
        ),
        ({"PORTAL_WEBHOOK_MAX_BYTES": "big"}, "PORTAL_WEBHOOK_MAX_BYTES: 'big' is not a int"),
        ({"STRIPE_LIVEMODE": "maybe"}, "STRIPE_LIVEMODE: 'maybe' is not true or false"),
        (
            {"STRIPE_SECRET_KEY": "sk_test_123", "STRIPE_LIVEMODE": "true"},
            "STRIPE_LIVEMODE: true contradicts STRIPE_SECRET_KEY, a test-mode key",
        ),
        (
            {"PORTAL_SYNC_ALWAYS_REFETCH": "yes"},
            "PORTAL_SYNC_ALWAYS_REFETCH: 'yes' is not one of true, false",
        ),
        ({"PORTAL_WORKER_BATCH_SIZE": "0"}, "PORTAL_WORKER_BATCH_SIZE: 0 is outside 1..1000"),
        (
            {"PORTAL_WORKER_POLL_SECONDS": "0"},
            "PORTAL_WORKER_POLL_SECONDS: 0 is outside 0.05..300.0",
        ),
        (
            {"PORTAL_WORKER_CONCURRENCY": "17"},
            "PORTAL_WORKER_CONCURRENCY: 17 is outside 1..16",
        ),
        (
            {"PORTAL_DATABASE_URL": "sqlite:///x.db", "PORTAL_WORKER_CONCURRENCY": "2"},
            "PORTAL_WORKER_CONCURRENCY: SQLite has one writer: leave it at 1",
        ),
        ({"PORTAL_WORKER_MAX_ATTEMPTS": "0"}, "PORTAL_WORKER_MAX_ATTEMPTS: 0 is outside 1..100"),
        ({"PORTAL_WORKER_LEASE_SECONDS": "2"}, "PORTAL_WORKER_LEASE_SECONDS: 2 is outside 3..3600"),
        ({"PORTAL_MAIL_BACKEND": "pigeon"}, "PORTAL_MAIL_BACKEND: 'pigeon' is not one of file"),
        ({"PORTAL_MAIL_BACKEND": "smtp"}, "PORTAL_SMTP_HOST: is required when PORTAL_MAIL_BACKEND"),
        (
            {"PORTAL_MAIL_BACKEND": "smtp", "PORTAL_SMTP_HOST": "h", "PORTAL_SMTP_TLS": "ssl"},
            "PORTAL_SMTP_TLS: 'ssl' is not one of none, starttls, tls",
        ),
        (
            {"PORTAL_MAIL_BACKEND": "smtp", "PORTAL_SMTP_HOST": "h", "PORTAL_SMTP_USERNAME": "u"},
            "PORTAL_SMTP_PASSWORD: set PORTAL_SMTP_USERNAME and PORTAL_SMTP_PASSWORD together",
        ),
        ({"PORTAL_MAIL_FROM": "nobody"}, "PORTAL_MAIL_FROM: 'nobody' is not an address"),
        ({"PORTAL_SUPPORT_EMAIL": "help desk"}, "PORTAL_SUPPORT_EMAIL: 'help desk' is not an"),
        (
            {"PORTAL_BILLING_PAGE_URL": "/billing"},
            "PORTAL_BILLING_PAGE_URL: '/billing' is not an http(s) URL",
        ),
    ],
)
def test_a_bad_value_is_reported_naming_the_variable(env: dict[str, str], message: str) -> None:
    assert message in problems_for(env)


def test_production_refuses_to_start_without_its_secrets() -> None:
    problems = problems_for({"PORTAL_ENV": "production"})

    for name in (
        "STRIPE_SECRET_KEY",
        "PORTAL_JWT_SECRET",
        "PORTAL_JWT_ISSUER",
        "STRIPE_WEBHOOK_SECRETS",
        "PORTAL_MAIL_FROM",
        "PORTAL_SMTP_HOST",
    ):
        assert f"{name}: is required" in problems


def test_every_problem_is_reported_at_once() -> None:
    problems = problems_for({"PORTAL_PORT": "x", "PORTAL_LOG_LEVEL": "LOUD"})

    assert "PORTAL_PORT" in problems
    assert "PORTAL_LOG_LEVEL" in problems


def test_a_custom_rule_order_and_policy_are_read() -> None:
    settings = load_settings(
        {
            "PORTAL_RULE_ORDER": "never_subscribed,payment_overdue,segment",
            "PORTAL_TENURE_MONTHS": "3",
            "PORTAL_SEGMENTS": "team=b2b,solo=b2c",
            "PORTAL_RETURN_PATHS": "/billing, /account/plan",
            "PORTAL_DEFAULT_RETURN_PATH": "/account/plan",
        }
    )

    policy = settings.portal.policy
    assert policy.rules == (
        PortalRule.NEVER_SUBSCRIBED,
        PortalRule.PAYMENT_OVERDUE,
        PortalRule.SEGMENT,
    )
    assert policy.tenure_months == 3
    assert dict(policy.segment_configurations) == {"team": "b2b", "solo": "b2c"}
    assert settings.portal.return_urls.default_path == "/account/plan"


def test_an_rs256_public_key_is_read_from_a_file(tmp_path: Path) -> None:
    key_file = tmp_path / "web-app.pem"
    key_file.write_text(public_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048)))

    settings = load_settings(
        {"PORTAL_JWT_ALGORITHM": "RS256", "PORTAL_JWT_PUBLIC_KEY": str(key_file)}
    )

    assert settings.jwt.verification_key.startswith("-----BEGIN PUBLIC KEY-----")
    assert not settings.jwt.uses_dev_secret


def test_a_public_key_of_the_wrong_kind_is_refused() -> None:
    ec_key = public_pem(ec.generate_private_key(ec.SECP256R1()))

    problems = problems_for({"PORTAL_JWT_ALGORITHM": "RS256", "PORTAL_JWT_PUBLIC_KEY": ec_key})

    assert "PORTAL_JWT_PUBLIC_KEY: RS256 needs an RSA public key" in problems


def test_settings_are_frozen() -> None:
    settings: Settings = load_settings({})

    with pytest.raises(AttributeError):
        settings.port = 1  # type: ignore[misc]


def test_development_defaults_for_webhooks_the_worker_and_mail() -> None:
    settings = load_settings({"PORTAL_DATA_DIR": "/srv/portal"})

    assert settings.webhooks.uses_sandbox_secret
    assert settings.webhooks.secrets[0].startswith("whsec_")
    assert settings.webhooks.tolerance_seconds == 300
    assert settings.webhooks.max_bytes == 512 * 1024
    assert settings.webhooks.livemode is False
    assert (settings.worker.batch_size, settings.worker.poll_seconds) == (50, 1.0)
    assert (settings.sync.always_refetch, settings.sync.max_attempts) == (False, 8)
    assert settings.sync.lease_seconds == 30
    assert load_settings({"PORTAL_WORKER_LEASE_SECONDS": "90"}).sync.lease_seconds == 90
    assert settings.sync.billing_page_url == "http://localhost:8000/billing"
    assert settings.mail.backend == "file"
    assert settings.mail.directory == Path("/srv/portal/mail")
    assert settings.mail.message_id_domain == "localhost"


def test_production_smtp_livemode_and_rotated_secrets_are_read() -> None:
    settings = load_settings(
        {
            **PRODUCTION,
            "PORTAL_SMTP_TLS": "tls",
            "PORTAL_APP_BASE_URL": "https://app.acme.example",
            "PORTAL_SYNC_ALWAYS_REFETCH": "true",
        }
    )

    assert settings.webhooks.secrets == ("whsec_current_one", "whsec_previous_one")
    assert not settings.webhooks.uses_sandbox_secret
    assert settings.webhooks.livemode is True  # an sk_live_ key
    assert settings.sync.always_refetch
    assert settings.sync.billing_page_url == "https://app.acme.example/billing"
    mail = settings.mail
    assert (mail.backend, mail.smtp_host, mail.smtp_port, mail.smtp_security) == (
        "smtp",
        "smtp.acme.example",
        465,
        "tls",
    )
    assert mail.message_id_domain == "acme.example"


def test_a_stripe_test_key_without_webhook_secrets_refuses_every_webhook() -> None:
    settings = load_settings({"STRIPE_SECRET_KEY": "sk_test_abc", **OWN_SECRETS})

    assert settings.webhooks.secrets == ()
    assert settings.webhooks.livemode is False


@pytest.mark.parametrize("key", ["sk_test_abc", "rk_test_abc", "sk_live_abc", "rk_live_abc"])
@pytest.mark.parametrize("variable", ["PORTAL_JWT_SECRET", "PORTAL_SESSION_SECRET"])
def test_outside_the_sandbox_the_development_secrets_are_refused(key: str, variable: str) -> None:
    environ = {**PRODUCTION, "STRIPE_SECRET_KEY": key}
    del environ["PORTAL_ENV"]
    del environ[variable]

    problems = problems_for(environ)

    assert f"{variable}: is required" in problems
    assert "\n" not in problems


def test_the_public_development_jwt_secret_cannot_be_set_by_hand_next_to_a_stripe_key() -> None:
    from entrypoints.jwt_settings import DEV_JWT_SECRET

    environ = {
        **OWN_SECRETS,
        "STRIPE_SECRET_KEY": "sk_test_abc",
        "PORTAL_JWT_SECRET": DEV_JWT_SECRET,
    }

    assert "PORTAL_JWT_SECRET: is the public development secret" in problems_for(environ)
    assert load_settings({"PORTAL_JWT_SECRET": DEV_JWT_SECRET}).stripe_sandbox  # sandbox: fine


def test_a_live_key_applies_production_rules_when_portal_env_is_unset() -> None:
    environ = {**PRODUCTION}
    del environ["PORTAL_ENV"]

    settings = load_settings(environ)

    assert settings.production
    assert settings.log_format == "json"
    problems = problems_for({"STRIPE_SECRET_KEY": "rk_live_abc"})
    for name in ("PORTAL_JWT_SECRET", "PORTAL_JWT_ISSUER", "PORTAL_SESSION_SECRET"):
        assert f"{name}: is required" in problems
    assert "PORTAL_ENV: is unset, but the live STRIPE_SECRET_KEY applies production" in problems


def test_a_live_key_under_portal_env_development_is_refused() -> None:
    problems = problems_for({**PRODUCTION, "PORTAL_ENV": "development"})

    assert problems.startswith("PORTAL_ENV: is development but STRIPE_SECRET_KEY is a live key")


def test_a_test_key_with_its_own_secrets_runs_in_development() -> None:
    settings = load_settings({"STRIPE_SECRET_KEY": "sk_test_abc", **OWN_SECRETS})

    assert not settings.production
    assert not settings.jwt.uses_dev_secret
    assert not settings.web.uses_random_secret
