"""``billing-portal customers conflicts``: automatic links refused, for operators to resolve."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime

import click

from application.customers.list_link_conflicts import LinkConflictReport, ListLinkConflicts
from application.ports.customer_link_audit import CustomerLinkChange
from entrypoints.cli.events import parse_since
from entrypoints.cli.render import when
from entrypoints.cli.runtime import run_use_case


def _line(r: CustomerLinkChange) -> str:
    return (
        f"{when(r.occurred_at)}  {r.user_id:<24} {r.customer_id or '-':<22} "
        f"{r.segment or '-':<12} {r.actor:<16} {r.reason or '-':<26} {r.detail or ''}"
    ).rstrip()


def _json(r: CustomerLinkChange) -> dict[str, object]:
    return {**asdict(r), "occurred_at": r.occurred_at.isoformat()}


@click.command()
@click.option("--since", help="From when: 2026-11-01, an ISO time, or an age like 7d, 12h.")
@click.option("--user", "user_id", help="Only refusals naming this app user.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=1000, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line (jq-friendly).")
@click.pass_context
def conflicts(
    ctx: click.Context, since: str | None, user_id: str | None, limit: int, as_json: bool
) -> None:
    """Automatic links refused (newest first): the user and customer Stripe named, the
    segment, the source, why, and the other party; then the totals per reason."""
    start = parse_since(since, datetime.now(UTC)) if since else None

    async def call(uc: ListLinkConflicts) -> LinkConflictReport:
        return await uc.execute(since=start, user_id=user_id, limit=limit)

    report: LinkConflictReport = run_use_case(ctx, ListLinkConflicts, call)
    if as_json:
        for refusal in report.refusals:
            click.echo(json.dumps(_json(refusal), sort_keys=True))
        return
    if not report.refusals:
        click.echo("no refused automatic links")
        return
    for refusal in report.refusals:
        click.echo(_line(refusal))
    click.echo(f"{len(report.refusals)} refusal(s):")
    for reason, count in report.totals:
        click.echo(f"  {count:>6}  {reason}")
