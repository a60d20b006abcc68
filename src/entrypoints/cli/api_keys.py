"""``billing-portal api-keys create|list|revoke``: keys for the server API (/api/server)."""

from __future__ import annotations

import click

from application.api_keys.create_api_key import CreateApiKey, IssuedApiKey
from application.api_keys.list_api_keys import ListApiKeys
from application.api_keys.revoke_api_key import RevokeApiKey
from domain.api_key import ApiKey
from entrypoints.cli.render import when
from entrypoints.cli.runtime import run_use_case


@click.group("api-keys")
def api_keys() -> None:
    """Server API keys: the host app's servers send one as 'Authorization: Bearer <key>'."""


@api_keys.command()
@click.option("--name", required=True, help="Who uses the key, e.g. 'web-app production'.")
@click.pass_context
def create(ctx: click.Context, name: str) -> None:
    """Create a key and print it once: it is stored only as a SHA-256 hash."""
    issued: IssuedApiKey = run_use_case(ctx, CreateApiKey, lambda uc: uc.execute(name))
    click.echo(f"created API key {issued.record.id} ({issued.record.name})")
    click.echo("store it now, it is not shown again:")
    click.echo(issued.key)


@api_keys.command("list")
@click.pass_context
def list_keys(ctx: click.Context) -> None:
    """Every key: id, state, the start of the key, name and dates (never the key)."""
    keys: list[ApiKey] = run_use_case(ctx, ListApiKeys, lambda uc: uc.execute())
    if not keys:
        click.echo("no API keys; create one with `billing-portal api-keys create --name ...`")
    for key in keys:
        state = "active" if key.active else f"revoked {when(key.revoked_at)}"
        click.echo(
            f"{key.id}  {state}  {key.shown_prefix}...  {key.name}  created {when(key.created_at)}"
        )


@api_keys.command()
@click.argument("key_id")
@click.pass_context
def revoke(ctx: click.Context, key_id: str) -> None:
    """Revoke KEY_ID (from `api-keys list`): it authenticates nothing from now on."""
    key: ApiKey = run_use_case(ctx, RevokeApiKey, lambda uc: uc.execute(key_id))
    click.echo(f"revoked API key {key.id} ({key.name}) at {when(key.revoked_at)}")
