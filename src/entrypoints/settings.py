"""Settings: read once from the environment into a frozen, validated object.

=========================================== ======================================== =====================================================
Variable                                    Default                                  Meaning
=========================================== ======================================== =====================================================
PORTAL_ENV                                  development (production with a live key) ``development`` or ``production`` (stricter checks)
PORTAL_DATA_DIR                             var/                                     where the embedded SQLite database lives
PORTAL_DATABASE_URL                         sqlite+aiosqlite:///<data dir>/...db     SQLAlchemy async URL (``postgresql+asyncpg://...``)
STRIPE_SECRET_KEY                           (none: sandbox in development)           ``sk_test_``/``sk_live_``/``rk_`` key; required in production
STRIPE_API_BASE                             Stripe; http://127.0.0.1:12111 sandbox   base address of the Stripe API (or the local sandbox)
STRIPE_API_VERSION                          2026-10-28.endive                        pinned Stripe API version
STRIPE_TIMEOUT_SECONDS                      10                                       per-request timeout, 0.1..120
STRIPE_MAX_NETWORK_RETRIES                  2                                        retries (same idempotency key), 0..10
STRIPE_PORTAL_DEADLINE_SECONDS              15                                       longest a portal request waits on Stripe, all tries, 0.5..300
PORTAL_APP_BASE_URL                         http://localhost:8000                    the web app's address, return URLs are built on it
PORTAL_RETURN_PATHS                         /billing                                 comma list of paths callers may return to
PORTAL_DEFAULT_RETURN_PATH                  first of PORTAL_RETURN_PATHS             return path when the caller names none
PORTAL_PRICING_PATH                         /pricing                                 redirect for users who never subscribed
PORTAL_REACTIVATION_PATH                    /reactivate                              redirect when every subscription has ended
PORTAL_COMPLETE_PAYMENT_PATH                /billing/complete-payment                redirect for an incomplete first payment
PORTAL_SEGMENTS                             enterprise=b2b,b2b=b2b,b2c=b2c           segment=configuration pairs
PORTAL_DEFAULT_CONFIGURATION                b2c                                      configuration for a segment not listed
PORTAL_RESTRICTED_VARIANTS                  b2b=b2b_restricted,b2c=b2c_restricted    configuration=restricted variant (tenure rule)
PORTAL_MULTIPLE_SUBSCRIPTIONS_CONFIGURATION payment_methods_only                     configuration for several live subscriptions
PORTAL_TENURE_MONTHS                        6                                        yearly subscriptions younger than this are restricted
PORTAL_RULE_ORDER                           the README's order                       comma list of rules; must end with ``segment``
PORTAL_CATALOG_PATH                         portal-configurations.toml               the portal configuration catalog file
PORTAL_JWT_ALGORITHM                        HS256                                    HS256, RS256 or ES256; no other is accepted
PORTAL_JWT_SECRET                           dev-only secret in sandbox mode only     HS256 shared secret, at least 32 bytes
PORTAL_JWT_PUBLIC_KEY                       (none)                                   RS256/ES256 public key: PEM text or a file path
PORTAL_JWT_ISSUER                           billing-portal-dev (development)         required ``iss`` claim; required in production
PORTAL_JWT_AUDIENCE                         billing-portal (development)             required ``aud`` claim; required in production
PORTAL_JWT_LEEWAY_SECONDS                   30                                       clock skew allowed on ``exp``, 0..300
PORTAL_RATE_LIMIT                           10                                       portal requests per user per window
PORTAL_RATE_WINDOW_SECONDS                  60                                       the rate limit window
STRIPE_WEBHOOK_SECRETS                      fixed dev secret (sandbox); none else     comma list of ``whsec_`` secrets (several while rotating); required in production
STRIPE_WEBHOOK_TOLERANCE_SECONDS            300                                      how old a webhook's signature timestamp may be, 1..3600
STRIPE_LIVEMODE                             from the key (``sk_live_``/``rk_live_``) events whose ``livemode`` differs are refused (400)
PORTAL_WEBHOOK_MAX_BYTES                    524288 (512 KiB)                         larger webhook bodies are refused with 413, 1 KiB..16 MiB
PORTAL_SYNC_ALWAYS_REFETCH                  false                                    ``true``: handlers read every object from Stripe, not the payload
PORTAL_WORKER_BATCH_SIZE                    50                                       events (and emails) a worker claims at a time, 1..1000
PORTAL_WORKER_POLL_SECONDS                  1.0                                      how long an idle worker waits before looking again
PORTAL_WORKER_MAX_ATTEMPTS                  8                                        failures before an event or email is parked as failed
PORTAL_WORKER_LEASE_SECONDS                 30                                       a claim without its heartbeat is free after this, 3..3600
PORTAL_MAIL_BACKEND                         file (development), smtp (production)    ``file``: one .eml per message in PORTAL_MAIL_DIR; ``smtp``
PORTAL_MAIL_DIR                             <data dir>/mail                          where the file backend writes
PORTAL_MAIL_FROM                            Billing <billing@localhost> (development) the From address; its domain ends every Message-ID
PORTAL_SMTP_HOST                            (none; required for smtp)                the mail server
PORTAL_SMTP_PORT                            25 / 587 / 465 by PORTAL_SMTP_TLS        the mail server's port
PORTAL_SMTP_USERNAME, PORTAL_SMTP_PASSWORD  (none)                                   SMTP auth; set both or neither
PORTAL_SMTP_TLS                             starttls                                 ``none``, ``starttls`` or ``tls`` (implicit TLS)
PORTAL_SMTP_TIMEOUT                         10                                       seconds per SMTP conversation, 0.5..300
PORTAL_BILLING_PAGE_URL                     <PORTAL_APP_BASE_URL>/billing            the app's billing page; emails link to it (``?flow=...``)
PORTAL_SUPPORT_EMAIL                        (none)                                   shown in emails as the address to write to
PORTAL_HOST                                 127.0.0.1                                address ``serve`` listens on
PORTAL_PORT                                 8000                                     port ``serve`` listens on
PORTAL_LOG_FORMAT                           console (development), json (production) ``json`` lines or readable ``console``
PORTAL_LOG_LEVEL                            INFO                                     DEBUG, INFO, WARNING or ERROR
PORTAL_RETAIN_*, PORTAL_PRUNE_BATCH_SIZE    see ``entrypoints/retention_settings.py`` what ``billing-portal prune`` keeps
PORTAL_AUTOLINK_CHECKOUT                    0                                        ``1``: checkout.session.completed links client_reference_id (the user id) to its customer
PORTAL_AUTOLINK_METADATA                    0                                        ``1``: a customer whose metadata names a user id is linked to it
PORTAL_AUTOLINK_USER_ID_KEY                 app_user_id                              the customer metadata key holding the app's user id
PORTAL_AUTOLINK_SEGMENT_KEY                 segment                                  the metadata key (customer or checkout session) holding the segment
PORTAL_AUTOLINK_DEFAULT_SEGMENT             (none: such links are refused)           segment of an automatic link whose metadata names none
PORTAL_ALLOW_SQLITE_IN_PRODUCTION           0                                        ``1``: production may run on SQLite
PORTAL_ALLOW_HTTP_IN_PRODUCTION             0                                        ``1``: production may use an ``http://`` app base URL
PORTAL_ALLOW_SANDBOX_IN_PRODUCTION          0                                        ``1``: production may use the Stripe sandbox (no key)
=========================================== ======================================== =====================================================

Workers (``billing-portal worker``): any number of processes on PostgreSQL (they claim
disjoint events with ``FOR UPDATE SKIP LOCKED``); on SQLite run one worker only (the demo's
in-process worker is that one).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from adapters.stripe.client import DEFAULT_API_VERSION, StripeSettings
from application.open_portal import PortalAccessSettings
from application.sync.settings import AutoLinkSettings, SyncSettings
from entrypoints.autolink_settings import read_autolink_settings
from entrypoints.env import EnvReader, SettingsError
from entrypoints.http.web.settings import WebSettings, read_web_settings
from entrypoints.jwt_settings import JwtSettings, read_jwt_settings
from entrypoints.portal_settings import read_base_url, read_portal_settings
from entrypoints.production_guards import ALLOW_SANDBOX, opted_in, production_opt_ins
from entrypoints.retention_settings import RetentionSettings, read_retention_settings
from entrypoints.sync_settings import (
    MailSettings,
    WebhookSettings,
    WorkerSettings,
    read_mail_settings,
    read_sync_settings,
    read_webhook_settings,
    read_worker_settings,
)

__all__ = ["Settings", "SettingsError", "load_settings"]

SANDBOX_API_KEY = "sk_test_sandbox"
SANDBOX_API_BASE = "http://127.0.0.1:12111"
_KEY_PREFIXES = ("sk_test_", "sk_live_", "rk_test_", "rk_live_")
_LIVE_KEY_PREFIXES = ("sk_live_", "rk_live_")
_DB_URL = re.compile(r"(postgres|postgresql|sqlite)(\+\w+)?://")
_HOST = re.compile(r"[A-Za-z0-9.\-]{1,253}|\[?[0-9A-Fa-f:.]{2,45}\]?")
_API_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}(\.[a-z_]+)?")


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service is configured with; secrets stay out of ``repr``."""

    environment: str
    database_url: str = field(repr=False)
    data_dir: Path
    stripe: StripeSettings
    stripe_sandbox: bool
    portal: PortalAccessSettings
    catalog_path: Path
    jwt: JwtSettings
    host: str
    port: int
    log_format: str
    log_level: str
    webhooks: WebhookSettings
    worker: WorkerSettings
    sync: SyncSettings
    mail: MailSettings
    web: WebSettings
    retention: RetentionSettings
    auto_link: AutoLinkSettings = field(default_factory=AutoLinkSettings)
    # The PORTAL_ALLOW_*_IN_PRODUCTION variables this production start relies on.
    production_opt_ins: tuple[str, ...] = ()

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def safe_database_url(self) -> str:
        """The database URL with any password masked (for logs and messages)."""
        return re.sub(r"(//[^:/@]+):[^@]*@", r"\1:***@", self.database_url)


def _database_url(env: EnvReader, data_dir: Path) -> str:
    default = f"sqlite+aiosqlite:///{(data_dir / 'billing-portal.db').resolve()}"
    url = env.text("PORTAL_DATABASE_URL", default)
    if not _DB_URL.match(url):
        env.problem("PORTAL_DATABASE_URL", "must be a postgresql://... or sqlite:///... URL")
    return url


def _stripe(env: EnvReader, production: bool) -> tuple[StripeSettings, bool]:
    key = env.raw("STRIPE_SECRET_KEY")
    sandbox = key is None and (not production or opted_in(env, ALLOW_SANDBOX))
    if key is None and production and not sandbox:
        env.problem(
            "STRIPE_SECRET_KEY", f"is required when PORTAL_ENV=production (or {ALLOW_SANDBOX}=1)"
        )
    elif key is not None and not key.startswith(_KEY_PREFIXES):
        env.problem("STRIPE_SECRET_KEY", "must start with sk_test_, sk_live_ or rk_")
    api_base = read_base_url(env, "STRIPE_API_BASE", SANDBOX_API_BASE if sandbox else None)
    settings = StripeSettings(
        api_key=key or SANDBOX_API_KEY,
        api_base=api_base,
        api_version=env.matching(
            "STRIPE_API_VERSION", DEFAULT_API_VERSION, _API_VERSION, "a Stripe API version"
        ),
        timeout_seconds=env.number("STRIPE_TIMEOUT_SECONDS", 10.0, float, 0.1, 120.0),
        max_network_retries=env.number("STRIPE_MAX_NETWORK_RETRIES", 2, int, 0, 10),
    )
    return settings, sandbox


def _environment(env: EnvReader) -> tuple[str, bool]:
    """``(environment, implied)``. A live Stripe key always runs under production rules: with
    PORTAL_ENV unset they are ``implied``; with PORTAL_ENV=development it is a contradiction."""
    live = (env.raw("STRIPE_SECRET_KEY") or "").startswith(_LIVE_KEY_PREFIXES)
    declared = env.raw("PORTAL_ENV")
    default = "production" if live else "development"
    environment = env.choice("PORTAL_ENV", ("development", "production"), default)
    if live and environment == "development":
        env.problem(
            "PORTAL_ENV",
            "is development but STRIPE_SECRET_KEY is a live key: set PORTAL_ENV=production "
            "(or use an sk_test_ key)",
        )
        environment = "production"
    return environment, live and declared is None


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate every variable; raise ``SettingsError`` naming each bad one."""
    env = EnvReader(os.environ if environ is None else environ)
    environment, implied = _environment(env)
    production = environment == "production"
    data_dir = env.directory("PORTAL_DATA_DIR", Path("var"))
    stripe, sandbox = _stripe(env, production)
    portal = read_portal_settings(env)
    database_url = _database_url(env, data_dir)
    settings = Settings(
        environment=environment,
        database_url=database_url,
        data_dir=data_dir,
        stripe=stripe,
        stripe_sandbox=sandbox,
        portal=portal,
        catalog_path=Path(env.text("PORTAL_CATALOG_PATH", "portal-configurations.toml")),
        jwt=read_jwt_settings(env, production, sandbox=sandbox),
        host=env.matching("PORTAL_HOST", "127.0.0.1", _HOST, "a host name or IP address"),
        port=env.number("PORTAL_PORT", 8000, int, 1, 65535),
        log_format=env.choice(
            "PORTAL_LOG_FORMAT", ("json", "console"), "json" if production else "console"
        ),
        log_level=env.choice("PORTAL_LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO"),
        webhooks=read_webhook_settings(
            env, api_key=stripe.api_key, sandbox=sandbox, production=production
        ),
        worker=read_worker_settings(env, database_url),
        sync=read_sync_settings(env, portal.return_urls.app_base_url),
        mail=read_mail_settings(env, data_dir=data_dir, production=production),
        web=read_web_settings(env, production, sandbox=sandbox),
        retention=read_retention_settings(env),
        auto_link=read_autolink_settings(env, portal.policy.segment_configurations),
        production_opt_ins=production_opt_ins(
            env,
            production=production,
            database_url=database_url,
            app_base_url=portal.return_urls.app_base_url,
            stripe_sandbox=sandbox,
            stripe_api_base=stripe.api_base,
        ),
    )
    if implied and env.problems:
        env.problem(
            "PORTAL_ENV",
            "is unset, but the live STRIPE_SECRET_KEY applies production rules: "
            "set PORTAL_ENV=production and the variables above",
        )
    env.check()
    return settings
