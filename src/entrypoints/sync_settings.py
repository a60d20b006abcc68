"""Webhooks, the sync worker and outgoing mail, read from their variables (see settings.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from adapters.webhooks.signature import DEFAULT_TOLERANCE_SECONDS
from application.sync.settings import SyncSettings
from entrypoints.env import EnvReader

# Development only: the embedded sandbox signs its webhooks with this secret and the API
# verifies them with it, so `make run` works with no configuration.
SANDBOX_WEBHOOK_SECRET = "whsec_billing_portal_sandbox_development_only"
SMTP_SECURITY = ("none", "starttls", "tls")
_SMTP_DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    """Secrets that may sign a delivery (several during a rotation), and what we accept."""

    secrets: tuple[str, ...] = field(repr=False)
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS
    max_bytes: int = 512 * 1024
    livemode: bool = False
    uses_sandbox_secret: bool = False


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    batch_size: int = 50
    poll_seconds: float = 1.0
    # Batches one worker process runs at once (each its own claim, transaction and
    # connection): while one waits for the database or Stripe, another uses the CPU.
    concurrency: int = 1


@dataclass(frozen=True, slots=True)
class MailSettings:
    """``backend`` is ``file`` (one .eml per message in ``directory``) or ``smtp``."""

    backend: str
    sender: str
    directory: Path
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_security: str = "starttls"
    smtp_timeout_seconds: float = 10.0
    support_address: str | None = None

    @property
    def message_id_domain(self) -> str:
        """The sender's domain: the right-hand side of every Message-ID we generate."""
        address = self.sender.rsplit("<", 1)[-1].rstrip(">").strip()
        return address.rpartition("@")[2] or "localhost"


def _looks_like_address(value: str) -> bool:
    address = value.rsplit("<", 1)[-1].rstrip(">").strip()
    local, at, domain = address.rpartition("@")
    return bool(at and local and domain and " " not in address)


def _livemode(env: EnvReader, api_key: str) -> bool:
    derived = api_key.startswith(("sk_live_", "rk_live_"))
    value = env.raw("STRIPE_LIVEMODE")
    if value is None:
        return derived
    if value.lower() not in {"true", "false"}:
        env.problem("STRIPE_LIVEMODE", f"{value!r} is not true or false")
        return derived
    wanted = value.lower() == "true"
    if wanted != derived:
        kind = "live" if derived else "test"
        env.problem("STRIPE_LIVEMODE", f"{value} contradicts STRIPE_SECRET_KEY, a {kind}-mode key")
    return wanted


def read_webhook_settings(
    env: EnvReader, *, api_key: str, sandbox: bool, production: bool
) -> WebhookSettings:
    secrets = env.items("STRIPE_WEBHOOK_SECRETS", "")
    uses_sandbox = False
    for secret in secrets:
        if not secret.startswith("whsec_") or len(secret) <= len("whsec_"):
            env.problem("STRIPE_WEBHOOK_SECRETS", "every secret must be a whsec_... signing secret")
            break
    if not secrets and sandbox:
        secrets, uses_sandbox = (SANDBOX_WEBHOOK_SECRET,), True
    elif not secrets and production:
        env.problem(
            "STRIPE_WEBHOOK_SECRETS",
            "is required when PORTAL_ENV=production (the endpoint's whsec_... signing secret)",
        )
    return WebhookSettings(
        secrets=secrets,
        tolerance_seconds=env.number("STRIPE_WEBHOOK_TOLERANCE_SECONDS", 300, int, 1, 3600),
        max_bytes=env.number("PORTAL_WEBHOOK_MAX_BYTES", 512 * 1024, int, 1024, 16 * 1024 * 1024),
        livemode=_livemode(env, api_key),
        uses_sandbox_secret=uses_sandbox,
    )


def read_worker_settings(env: EnvReader, database_url: str) -> WorkerSettings:
    sqlite = database_url.startswith("sqlite")
    concurrency = env.number("PORTAL_WORKER_CONCURRENCY", 1 if sqlite else 2, int, 1, 16)
    if sqlite and concurrency > 1:
        env.problem("PORTAL_WORKER_CONCURRENCY", "SQLite has one writer: leave it at 1")
    return WorkerSettings(
        batch_size=env.number("PORTAL_WORKER_BATCH_SIZE", 50, int, 1, 1000),
        poll_seconds=env.number("PORTAL_WORKER_POLL_SECONDS", 1.0, float, 0.05, 300.0),
        concurrency=concurrency,
    )


def read_sync_settings(env: EnvReader, app_base_url: str) -> SyncSettings:
    refetch = env.choice("PORTAL_SYNC_ALWAYS_REFETCH", ("true", "false"), "false")
    billing_page = env.raw("PORTAL_BILLING_PAGE_URL") or f"{app_base_url.rstrip('/')}/billing"
    if not billing_page.startswith(("http://", "https://")) or "?" in billing_page:
        env.problem("PORTAL_BILLING_PAGE_URL", f"{billing_page!r} is not an http(s) URL without ?")
    return SyncSettings(
        always_refetch=refetch == "true",
        max_attempts=env.number("PORTAL_WORKER_MAX_ATTEMPTS", 8, int, 1, 100),
        lease_seconds=env.number("PORTAL_WORKER_LEASE_SECONDS", 30, int, 3, 3600),
        billing_page_url=billing_page,
    )


def _smtp(env: EnvReader) -> tuple[str | None, int, str, str | None, str | None]:
    host = env.raw("PORTAL_SMTP_HOST")
    if host is None:
        env.problem("PORTAL_SMTP_HOST", "is required when PORTAL_MAIL_BACKEND=smtp")
    security = env.choice("PORTAL_SMTP_TLS", SMTP_SECURITY, "starttls")
    port = env.number("PORTAL_SMTP_PORT", _SMTP_DEFAULT_PORTS[security], int, 1, 65535)
    username, password = env.raw("PORTAL_SMTP_USERNAME"), env.raw("PORTAL_SMTP_PASSWORD")
    if (username is None) != (password is None):
        missing = "PORTAL_SMTP_PASSWORD" if password is None else "PORTAL_SMTP_USERNAME"
        env.problem(missing, "set PORTAL_SMTP_USERNAME and PORTAL_SMTP_PASSWORD together")
    return host, port, security, username, password


def read_mail_settings(env: EnvReader, *, data_dir: Path, production: bool) -> MailSettings:
    backend = env.choice("PORTAL_MAIL_BACKEND", ("file", "smtp"), "smtp" if production else "file")
    sender = env.raw("PORTAL_MAIL_FROM")
    if sender is None and production:
        env.problem("PORTAL_MAIL_FROM", "is required when PORTAL_ENV=production")
    sender = sender or "Billing <billing@localhost>"
    if not _looks_like_address(sender):
        env.problem("PORTAL_MAIL_FROM", f"{sender!r} is not an address (billing@example.com)")
    support = env.raw("PORTAL_SUPPORT_EMAIL")
    if support is not None and not _looks_like_address(support):
        env.problem("PORTAL_SUPPORT_EMAIL", f"{support!r} is not an email address")
    settings = MailSettings(
        backend=backend,
        sender=sender,
        directory=env.directory("PORTAL_MAIL_DIR", data_dir / "mail"),
        support_address=support,
    )
    if backend != "smtp":
        return settings
    host, port, security, username, password = _smtp(env)
    return MailSettings(
        backend=backend,
        sender=sender,
        directory=settings.directory,
        smtp_host=host,
        smtp_port=port,
        smtp_username=username,
        smtp_password=password,
        smtp_security=security,
        smtp_timeout_seconds=env.number("PORTAL_SMTP_TIMEOUT", 10.0, float, 0.5, 300.0),
        support_address=support,
    )
