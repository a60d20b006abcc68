"""``billing-portal prune``: delete rows that are done with, in short batches."""

from __future__ import annotations

from dataclasses import replace

import click

from application.operations.prune_data import PruneData, PruneResult
from entrypoints.cli.runtime import run_use_case, state_of

_DAYS = click.IntRange(0, 36500)


@click.command()
@click.option("--inbox-days", type=_DAYS, help="Processed/ignored events older than this (>= 30).")
@click.option("--outbox-days", type=_DAYS, help="Sent emails older than this.")
@click.option("--rate-limit-days", type=_DAYS, help="Rate-limit counters expired this long ago.")
@click.option("--audit-days", type=_DAYS, help="Audit rows older than this.")
@click.option("--batch-size", type=click.IntRange(1, 100_000), help="Rows per transaction.")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
@click.pass_context
def prune(
    ctx: click.Context,
    inbox_days: int | None,
    outbox_days: int | None,
    rate_limit_days: int | None,
    audit_days: int | None,
    batch_size: int | None,
    dry_run: bool,
) -> None:
    """Remove processed inbox events, sent emails, expired rate-limit counters and old
    audit rows (ages from PORTAL_RETAIN_*_DAYS unless given here). Pending and failed
    events and emails are never removed. Safe while the service runs; schedule it daily."""
    retention = state_of(ctx).settings().retention
    given = {
        "inbox_days": inbox_days,
        "outbox_days": outbox_days,
        "rate_limit_days": rate_limit_days,
        "audit_days": audit_days,
    }
    policy = replace(retention.policy, **{k: v for k, v in given.items() if v is not None})
    size = batch_size or retention.batch_size

    async def call(uc: PruneData) -> PruneResult:
        return await uc.execute(policy, dry_run=dry_run, batch_size=size)

    result: PruneResult = run_use_case(ctx, PruneData, call)
    verb = "would remove" if result.dry_run else "removed"
    for data, count in result.removed.items():
        click.echo(f"{data.value}: {verb} {count} row(s) older than {policy.days(data)} days")
