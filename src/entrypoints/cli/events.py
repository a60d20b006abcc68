"""``billing-portal events recover|list|show|replay|retry-failed``: the webhook inbox."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import click

from application.ports.event_inbox import EventStatus, InboxEvent
from application.sync.inspect_events import InspectEvents
from application.sync.recover_events import RecoverEvents, RecoverEventsResult
from entrypoints.cli.render import when
from entrypoints.cli.runtime import run_use_case

_AGO = re.compile(r"(\d+)([dhm])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_since(value: str, now: datetime) -> datetime:
    """``2026-11-01`` (UTC midnight), an ISO time, or ``7d`` / ``12h`` / ``30m`` ago."""
    text = value.strip()
    if match := _AGO.fullmatch(text):
        return now - timedelta(**{_UNITS[match[2]]: int(match[1])})
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is neither a date (2026-11-01) nor an age (7d, 12h, 30m)",
            param_hint="--since",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@click.group()
def events() -> None:
    """Stripe events: the inbox the webhooks fill and the workers process."""


@events.command()
@click.option("--since", help="From when: 2026-11-01, or an age like 7d (at most 30 days).")
@click.option("--all", "everything", is_flag=True, help="Not only events Stripe failed to deliver.")
@click.pass_context
def recover(ctx: click.Context, since: str | None, everything: bool) -> None:
    """Ask Stripe for events the inbox never received and queue them for the workers."""
    start = parse_since(since, datetime.now(UTC)) if since else None

    async def call(uc: RecoverEvents) -> RecoverEventsResult:
        return await uc.execute(since=start, undelivered_only=not everything)

    result: RecoverEventsResult = run_use_case(ctx, RecoverEvents, call)
    which = "event(s)" if everything else "undelivered event(s)"
    click.echo(f"Stripe listed {result.seen} {which}; {len(result.recovered)} were missing")
    for event_id in result.recovered:
        click.echo(f"  queued {event_id}")
    if result.recovered:
        click.echo("the workers process them (`billing-portal worker --once` does it now)")


def _event_line(event: InboxEvent) -> str:
    extra = event.last_error or event.note or ""
    extra = (extra[:60] + "...") if len(extra) > 63 else extra
    return (
        f"{event.id:<30} {event.type:<40} {event.status.value:<9} "
        f"{event.attempts:>2}  {when(event.received_at)}  {extra}"
    ).rstrip()


@events.command("list")
@click.option("--status", type=click.Choice([s.value for s in EventStatus]), help="Only these.")
@click.option("--type", "event_type", help="Only this event type (customer.subscription.updated).")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@click.pass_context
def list_(ctx: click.Context, status: str | None, event_type: str | None, limit: int) -> None:
    """The newest events first: id, type, status, failed attempts, received, error or note."""
    chosen = EventStatus(status) if status else None

    async def call(uc: InspectEvents) -> list[InboxEvent]:
        return await uc.list(status=chosen, type=event_type, limit=limit)

    found: list[InboxEvent] = run_use_case(ctx, InspectEvents, call)
    if not found:
        click.echo("no events")
    for event in found:
        click.echo(_event_line(event))


@events.command()
@click.argument("event_id")
@click.pass_context
def show(ctx: click.Context, event_id: str) -> None:
    """One event: its status, attempts, last error and the payload Stripe sent."""
    event: InboxEvent = run_use_case(ctx, InspectEvents, lambda uc: uc.show(event_id))
    click.echo(f"id:           {event.id}")
    click.echo(f"type:         {event.type}")
    click.echo(f"status:       {event.status.value}")
    click.echo(f"created:      {when(event.created)}")
    click.echo(f"received:     {when(event.received_at)}")
    click.echo(f"processed:    {when(event.processed_at)}")
    click.echo(f"attempts:     {event.attempts} failed")
    if event.status is EventStatus.PENDING and event.next_attempt_at:
        click.echo(f"next attempt: {when(event.next_attempt_at)}")
    if event.last_error:
        click.echo(f"last error:   {event.last_error}")
    if event.note:
        click.echo(f"note:         {event.note}")
    click.echo(json.dumps(event.payload, indent=2, sort_keys=True, default=str))


@events.command()
@click.argument("event_id")
@click.pass_context
def replay(ctx: click.Context, event_id: str) -> None:
    """Queue EVENT_ID again; the emails it queued before are not sent twice."""
    run_use_case(ctx, InspectEvents, lambda uc: uc.replay(event_id))
    click.echo(f"{event_id} queued again; the workers process it")


@events.command("retry-failed")
@click.pass_context
def retry_failed(ctx: click.Context) -> None:
    """Queue every event parked as failed again, with its attempts reset."""
    count: int = run_use_case(ctx, InspectEvents, lambda uc: uc.retry_failed())
    click.echo(f"{count} failed event(s) queued again")
