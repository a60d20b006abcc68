"""``billing-portal emails list|retry``: the email outbox, like ``events`` for the inbox."""

from __future__ import annotations

import click

from application.operations.list_emails import ListEmails
from application.operations.retry_emails import RetryEmails
from application.ports.outbox import OutboxMessage, OutboxStatus
from entrypoints.cli.render import when
from entrypoints.cli.runtime import run_use_case


@click.group()
def emails() -> None:
    """Emails: the outbox the events fill and the workers send."""


def _line(message: OutboxMessage) -> str:
    error = message.last_error or ""
    error = (error[:60] + "...") if len(error) > 63 else error
    return (
        f"{message.key:<48} {message.template:<24} {message.status.value:<7} "
        f"{message.attempts:>2}  {when(message.created_at)}  {when(message.sent_at)}  {error}"
    ).rstrip()


@emails.command("list")
@click.option("--status", type=click.Choice([s.value for s in OutboxStatus]), help="Only these.")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@click.pass_context
def list_(ctx: click.Context, status: str | None, limit: int) -> None:
    """Newest first: key, template, status, failed attempts, queued, sent, last error."""
    chosen = OutboxStatus(status) if status else None

    async def call(uc: ListEmails) -> list[OutboxMessage]:
        return await uc.execute(status=chosen, limit=limit)

    found: list[OutboxMessage] = run_use_case(ctx, ListEmails, call)
    if not found:
        click.echo("no emails")
    for message in found:
        click.echo(_line(message))


@emails.command()
@click.argument("key", required=False)
@click.option("--failed", is_flag=True, help="Every email parked as failed.")
@click.pass_context
def retry(ctx: click.Context, key: str | None, failed: bool) -> None:
    """Queue KEY again (even a sent one: it is sent again), or every failed one."""
    if (key is None) == (not failed):
        raise click.UsageError("name one email KEY or pass --failed (not both)")

    async def call(uc: RetryEmails) -> int:
        return await uc.execute(key)

    count: int = run_use_case(ctx, RetryEmails, call)
    click.echo(f"{count} email(s) queued again; the workers send them")
