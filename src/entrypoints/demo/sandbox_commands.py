"""``billing-portal sandbox advance|reset|seed``: drive the embedded Stripe sandbox."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from entrypoints.cli.runtime import state_of
from entrypoints.demo.command import link_demo_users
from entrypoints.demo.sandbox_runtime import open_sandbox_store
from stripe_sandbox import seed_demo


def _when(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


@click.group()
def sandbox() -> None:
    """The offline Stripe sandbox (development, no STRIPE_SECRET_KEY)."""


@sandbox.command()
@click.option("--days", type=click.FloatRange(min=0), default=0.0, help="Days to move forward.")
@click.option("--seconds", type=click.IntRange(min=0), default=0, help="Seconds to move forward.")
@click.pass_context
def advance(ctx: click.Context, days: float, seconds: int) -> None:
    """Move the sandbox clock forward: renewals, failed charges, cancellations, trial ends."""
    if not days and not seconds:
        raise click.UsageError("say how far to move: --days N and/or --seconds N")
    store = open_sandbox_store(state_of(ctx).settings())
    click.echo(f"sandbox time is now {_when(store.advance(days=days, seconds=seconds))}")


@sandbox.command()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def reset(ctx: click.Context, yes: bool) -> None:
    """Forget every sandbox object (customers, subscriptions, events, the clock)."""
    store = open_sandbox_store(state_of(ctx).settings())
    if not yes:
        click.confirm("Erase all sandbox data?", abort=True)
    store.reset()
    click.echo("sandbox reset; `billing-portal sandbox seed` recreates the demo")


@sandbox.command()
@click.pass_context
def seed(ctx: click.Context) -> None:
    """Create the demo catalog and customers (once) and link the demo users."""
    store = open_sandbox_store(state_of(ctx).settings())
    records = seed_demo(store)
    link_demo_users(ctx, records)
    for record in records:
        click.echo(f"{record.user_id:<22} {record.customer_id:<20} {record.description}")
