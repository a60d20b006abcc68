"""``billing-portal demo`` (what `make run` runs) and ``billing-portal dev-token``."""

from __future__ import annotations

import contextlib

import click
import uvicorn

from adapters.catalog.toml_catalog import load_catalog
from adapters.persistence import upgrade_database
from application.configs.apply_configurations import ApplyConfigurations, ApplyResult
from application.customers.link_customer import LinkCustomer, LinkCustomerRequest
from application.sync.backfill_mirror import BackfillMirror, BackfillResult
from entrypoints.cli.runtime import run_use_case, state_of
from entrypoints.demo.dev_token import issue_dev_token
from entrypoints.demo.sandbox_runtime import open_sandbox_store, started_sandbox
from entrypoints.http.app import create_app
from entrypoints.http.web import DemoUser, static_demo_users
from entrypoints.logging import configure_logging
from entrypoints.settings import Settings
from stripe_sandbox import DemoRecord, seed_demo


def _link(ctx: click.Context, record: DemoRecord) -> None:
    request = LinkCustomerRequest(record.user_id, record.customer_id, record.segment, record.email)
    run_use_case(ctx, LinkCustomer, lambda uc: uc.execute(request))


def link_demo_users(ctx: click.Context, records: list[DemoRecord]) -> None:
    for record in records:
        _link(ctx, record)


def _applies_catalog_itself(settings: Settings) -> bool:
    # Test-mode keys and the sandbox are safe to configure on start; live mode is changed
    # only by an operator who has read `configs plan`.
    return settings.stripe_sandbox or settings.stripe.api_key.startswith(("sk_test_", "rk_test_"))


def webhook_url(host: str, port: int) -> str:
    """Where the sandbox delivers: the API on this machine, whatever address it listens on."""
    local = host in {"0.0.0.0", "::", "localhost", ""}  # noqa: S104  (a comparison)
    address = "127.0.0.1" if local else host
    return f"http://{address}:{port}/api/webhooks/stripe"


def _banner(settings: Settings, host: str, port: int, records: list[DemoRecord]) -> None:
    base = f"http://{host}:{port}"
    page = f"{settings.portal.return_urls.app_base_url.rstrip('/')}/billing"
    where = (
        f"the Stripe sandbox at {settings.stripe.api_base}"
        if settings.stripe_sandbox
        else ("Stripe")
    )
    click.echo(f"\nbilling-portal is serving {base} (API docs {base}/schema) against {where}")
    click.echo(f"billing page: {page}")
    click.echo(f"database: {settings.safe_database_url}")
    if settings.mail.backend == "file":
        click.echo(f"emails:   {settings.mail.directory.resolve()} (one .eml file per message)")
    else:
        click.echo(f"emails:   SMTP {settings.mail.smtp_host}:{settings.mail.smtp_port}")
    if settings.stripe_sandbox:
        click.echo(f"webhooks: the sandbox delivers to {webhook_url(host, port)}")
    if records:
        click.echo("\ndemo users (`billing-portal dev-token USER` prints a bearer token):")
        for record in records:
            click.echo(f"  {record.user_id:<22} {record.segment:<10} {record.description}")
        token = f"$(.venv/bin/billing-portal dev-token {records[0].user_id})"
        click.echo(
            f'\ntry:  curl -X POST -H "Authorization: Bearer {token}" '
            f"{base}/api/billing/portal-sessions"
        )
        click.echo(f'      curl -H "Authorization: Bearer {token}" {base}/api/billing/summary')
    click.echo("stop with Ctrl+C\n")


@click.command()
@click.option("--host", help="Address to listen on (default PORTAL_HOST).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default PORTAL_PORT).")
@click.pass_context
def demo(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Run everything: migrate, seed and start the sandbox (no Stripe key), apply the
    portal catalog, link the demo users, fill the mirror, and serve the API with the
    sync worker running alongside it."""
    state = state_of(ctx)
    settings = state.settings()
    load_catalog(settings.catalog_path)
    upgrade_database(settings.database_url)
    host, port = host or settings.host, port or settings.port
    with contextlib.ExitStack() as stack:
        records: list[DemoRecord] = []
        if settings.stripe_sandbox:
            # Seeded before the webhook endpoint exists: the demo's backdated history is
            # backfilled below rather than delivered as a burst of old events and emails.
            records = seed_demo(open_sandbox_store(settings))
            stack.enter_context(started_sandbox(settings, webhook_url(host, port)))
            # The sandbox's own app may have configured logging; ours wins from here on.
            configure_logging(settings.log_format, settings.log_level)
            link_demo_users(ctx, records)
        if _applies_catalog_itself(settings):
            applied: ApplyResult = run_use_case(ctx, ApplyConfigurations, lambda uc: uc.execute())
            click.echo(f"portal catalog applied ({applied.provider_writes} write call(s))")
        else:
            click.echo("live mode: review `billing-portal configs plan`, then `configs apply`")
        if settings.stripe_sandbox:
            synced: BackfillResult = run_use_case(ctx, BackfillMirror, lambda uc: uc.execute())
            counts = ", ".join(f"{n} {kind}" for kind, n in synced.read.items())
            click.echo(f"billing mirror filled from the sandbox ({counts or 'nothing'})")
        else:
            click.echo(
                "Stripe: `billing-portal sync` fills the billing mirror (once, then webhooks)"
            )
        _banner(settings, host, port, records)
        configure_logging(settings.log_format, settings.log_level)
        users = static_demo_users(
            DemoUser(r.user_id, r.email, r.segment, r.description) for r in records
        )
        app = create_app(settings, *state.override_providers, with_worker=True, demo_users=users)
        uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)


@click.command("dev-token")
@click.argument("user_id")
@click.option("--minutes", type=click.IntRange(1, 24 * 60), default=60, show_default=True)
@click.pass_context
def dev_token(ctx: click.Context, user_id: str, minutes: int) -> None:
    """Print a bearer token for USER_ID (development only, HS256)."""
    click.echo(issue_dev_token(state_of(ctx).settings(), user_id, minutes=minutes))
