"""``billing-portal db upgrade``: run the Alembic migrations forward."""

from __future__ import annotations

import click

from adapters.persistence import current_revision, upgrade_database
from entrypoints.cli.runtime import state_of


@click.group()
def db() -> None:
    """Database schema."""


@db.command()
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@click.pass_context
def upgrade(ctx: click.Context, revision: str) -> None:
    """Migrate the database (PORTAL_DATABASE_URL) forward to REVISION."""
    settings = state_of(ctx).settings()
    upgrade_database(settings.database_url, revision)
    at = current_revision(settings.database_url)
    click.echo(f"database {settings.safe_database_url} is at revision {at}")
