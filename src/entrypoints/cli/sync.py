"""``billing-portal sync``: copy Stripe's billing objects into the mirror."""

from __future__ import annotations

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from application.sync.backfill_mirror import BackfillMirror, BackfillResult
from entrypoints.cli.runtime import run_use_case

KINDS = ("customers", "subscriptions", "invoices", "payment_methods")


@click.command()
@click.option("--customer", "customer_id", help="Only this customer (cus_...).")
@click.pass_context
def sync(ctx: click.Context, customer_id: str | None) -> None:
    """Backfill customers, subscriptions (all statuses), invoices and payment methods.

    Idempotent, and safe while webhooks arrive: a state read here never replaces a newer one.
    """
    if customer_id is not None and not customer_id.startswith("cus_"):
        raise click.BadParameter("must be a Stripe customer id (cus_...)", param_hint="--customer")
    console = Console(stderr=True)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    # Not on a terminal (cron, pipes): no live display, only the summary lines below.
    with Progress(*columns, console=console, disable=not console.is_terminal) as progress:
        tasks: dict[str, TaskID] = {}

        def report(kind: str, count: int) -> None:
            if kind not in tasks:
                tasks[kind] = progress.add_task(kind, total=None)
            progress.update(tasks[kind], description=f"{kind}: {count} read")

        result: BackfillResult = run_use_case(
            ctx, BackfillMirror, lambda uc: uc.execute(customer_id, progress=report)
        )
        for task in tasks.values():
            progress.update(task, total=1, completed=1)
    for kind in KINDS:
        read, written = result.read.get(kind, 0), result.written.get(kind, 0)
        click.echo(f"{kind}: {read} read, {written} updated")
    if customer_id is not None and not result.read.get("customers"):
        click.echo(f"note: Stripe does not know customer {customer_id}", err=True)
