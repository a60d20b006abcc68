"""``billing-portal status``: the service's state on one screen."""

from __future__ import annotations

from datetime import datetime

import click

from application.operations.show_status import ShowStatus, StatusReport
from application.ports.queue_monitor import QueueDepth
from domain.catalog import Plan
from entrypoints.cli.render import when
from entrypoints.cli.runtime import run_use_case, state_of


def ago(moment: datetime | None, now: datetime) -> str:
    """``2026-03-01 12:00 UTC (3 min ago)``, or ``never``."""
    if moment is None:
        return "never"
    seconds = max(0, int((now - moment).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{when(moment)} ({seconds // size} {unit} ago)"
    return f"{when(moment)} ({seconds} s ago)"


def _configurations(plan: Plan) -> str:
    if not plan.write_count:
        return f"applied ({len(plan.entries)} up to date)"
    drifted = ", ".join(f"{e.name} ({e.action.value})" for e in plan.entries if e.writes)
    return f"drifted: {drifted}; run `billing-portal configs plan`, then `configs apply`"


def _queue(depth: QueueDepth, now: datetime, what: str) -> str:
    oldest = f", oldest since {ago(depth.oldest_pending_at, now)}" if depth.pending else ""
    return f"{depth.pending} {what} pending{oldest}; {depth.parked} parked as failed"


def render_status(report: StatusReport, database: str) -> list[str]:
    now, schema, plan, queues = report.now, report.schema, report.configurations, report.queues
    lines = [f"mode:           {report.mode}"]
    if schema.value is not None:
        rev = schema.value
        lines.append(
            f"database:       {database}: reachable, schema {rev.current or 'none'} "
            f"({rev.state.value}; the code needs {rev.expected})"
        )
    else:
        lines.append(f"database:       {database}: {schema.error}")
    configurations = _configurations(plan.value) if plan.value else f"unknown: {plan.error}"
    lines.append(f"configurations: {configurations}")
    if queues.value is not None:
        q = queues.value
        lines.append(f"inbox:          {_queue(q.inbox, now, 'event(s)')}")
        lines.append(f"outbox:         {_queue(q.outbox, now, 'email(s)')}")
        lines.append(f"last webhook:   {ago(q.last_event_received_at, now)}")
    else:
        lines.append(f"queues:         unknown: {queues.error}")
    return lines


@click.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """Mode, database and schema, configurations, inbox and outbox, the last webhook."""
    report: StatusReport = run_use_case(ctx, ShowStatus, lambda uc: uc.execute())
    for line in render_status(report, state_of(ctx).settings().safe_database_url):
        click.echo(line)
