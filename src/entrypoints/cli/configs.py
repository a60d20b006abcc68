"""``billing-portal configs plan|apply|list``: the portal configuration catalog."""

from __future__ import annotations

import click

from application.configs.apply_configurations import ApplyConfigurations, ApplyResult
from application.configs.list_configurations import ConfigurationListing, ListConfigurations
from application.configs.plan_configurations import PlanConfigurations
from domain.catalog import FieldChange, Plan, PlanAction
from entrypoints.cli.render import when
from entrypoints.cli.runtime import run_use_case


@click.group()
def configs() -> None:
    """Portal configurations: the catalog file (PORTAL_CATALOG_PATH) against the provider."""


def _change_line(change: FieldChange) -> str:
    if change.old is None:
        return f"    + {change.path} = {change.new!r}"
    if change.new is None:
        return f"    - {change.path} (was {change.old!r})"
    return f"    ~ {change.path}: {change.old!r} -> {change.new!r}"


def _heading(name: str, action: PlanAction, provider_id: str | None, note: str) -> str:
    where = f" ({provider_id})" if provider_id else ""
    return f"{name}: {action.value}{where}" + (f" - {note}" if note else "")


# `configs plan` exits with this when the provider differs from the catalog, so CI can gate
# on drift (0: nothing to change; 1 and 2: it could not tell, see runtime.py).
CHANGES_PENDING = 3


@configs.command()
@click.pass_context
def plan(ctx: click.Context) -> None:
    """Show, field by field, what `configs apply` would change at the provider.

    Exit status: 0 nothing to change, 3 changes pending, 1 or 2 an error."""
    result: Plan = run_use_case(ctx, PlanConfigurations, lambda uc: uc.execute())
    for step in result.entries:
        click.echo(_heading(step.name, step.action, step.provider_id, step.note))
        for change in step.changes:
            click.echo(_change_line(change))
    if result.write_count:
        click.echo(f"{result.write_count} change(s); run `billing-portal configs apply`")
        ctx.exit(CHANGES_PENDING)
    click.echo("nothing to change")


@configs.command()
@click.pass_context
def apply(ctx: click.Context) -> None:
    """Create, update or deactivate configurations so the provider matches the catalog."""
    result: ApplyResult = run_use_case(ctx, ApplyConfigurations, lambda uc: uc.execute())
    for entry in result.entries:
        click.echo(_heading(entry.name, entry.action, entry.provider_id, entry.note))
        for change in entry.changes:
            click.echo(_change_line(change))
    click.echo(
        f"{result.provider_writes} provider write(s), {result.mappings_saved} mapping(s) saved"
    )


@configs.command("list")
@click.pass_context
def list_(ctx: click.Context) -> None:
    """List the catalog's configurations, whether each is applied and its provider id."""
    listing: ConfigurationListing = run_use_case(ctx, ListConfigurations, lambda uc: uc.execute())
    width = max((len(row.name) for row in listing.rows), default=4)
    for row in listing.rows:
        click.echo(
            f"{row.name:<{width}}  {row.status.value:<11}  {row.provider_id or '-':<30}  "
            f"applied {when(row.applied_at)}"
        )
