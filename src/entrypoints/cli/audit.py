"""``billing-portal audit``: portal access attempts, for support and product analytics."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime

import click

from application.operations.list_portal_access import ListPortalAccess, PortalAccessReport
from application.ports.access_audit import PortalAccessRecord
from entrypoints.cli.events import parse_since
from entrypoints.cli.render import when
from entrypoints.cli.runtime import run_use_case


def _line(entry: PortalAccessRecord) -> str:
    return (
        f"{when(entry.occurred_at)}  {entry.user_id:<24} {entry.outcome:<8} "
        f"{entry.decision:<26} {entry.segment or '-':<12} {entry.configuration or '-':<20} "
        f"{entry.channel}"
    ).rstrip()


def _json(entry: PortalAccessRecord) -> dict[str, object]:
    return {**asdict(entry), "occurred_at": entry.occurred_at.isoformat()}


@click.command()
@click.option("--since", help="From when: 2026-11-01, an ISO time, or an age like 7d, 12h.")
@click.option("--user", "user_id", help="Only this app user's attempts.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=1000, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line (jq-friendly).")
@click.pass_context
def audit(
    ctx: click.Context, since: str | None, user_id: str | None, limit: int, as_json: bool
) -> None:
    """Portal access attempts, newest first: outcome, decision (reason), segment,
    configuration, channel; then the totals per outcome, reason and segment."""
    start = parse_since(since, datetime.now(UTC)) if since else None

    async def call(uc: ListPortalAccess) -> PortalAccessReport:
        return await uc.execute(since=start, user_id=user_id, limit=limit)

    report: PortalAccessReport = run_use_case(ctx, ListPortalAccess, call)
    if as_json:
        for entry in report.entries:
            click.echo(json.dumps(_json(entry), sort_keys=True))
        return
    if not report.entries:
        click.echo("no portal access attempts")
        return
    for entry in report.entries:
        click.echo(_line(entry))
    click.echo(f"{len(report.entries)} attempt(s):")
    for (outcome, reason, segment), count in report.totals:
        click.echo(f"  {count:>6}  {outcome:<8} {reason:<26} segment {segment}")
