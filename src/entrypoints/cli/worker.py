"""``billing-portal worker``: process inbox events and send emails until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import signal

import click
from dishka import AsyncContainer

from entrypoints.cli.runtime import run_with_container, state_of
from entrypoints.logging import configure_logging
from entrypoints.production_guards import opt_in_warnings
from entrypoints.worker import SyncWorker, concurrent_workers


@click.command()
@click.option("--once", is_flag=True, help="Work until nothing is due, then exit.")
@click.option("--worker-id", help="Name in the inbox's leases (default host:pid:random).")
@click.pass_context
def worker(ctx: click.Context, once: bool, worker_id: str | None) -> None:
    """Process webhook events from the inbox and send the emails they queue.

    Run any number on PostgreSQL; on SQLite run one (`make run` already runs one). On
    Ctrl+C or SIGTERM it finishes the event or email in hand, gives back the rest of its
    claim (due at once for the other workers) and exits 0.
    """
    if worker_id is not None and not 0 < len(worker_id.strip()) <= 200:
        # The leases keep it in 255 characters, with ".N" for each concurrent batch.
        raise click.BadParameter("must be 1 to 200 characters", param_hint="--worker-id")
    settings = state_of(ctx).settings()
    if not once:
        # A service: it logs per PORTAL_LOG_FORMAT and PORTAL_LOG_LEVEL, like `serve`
        # (`--once` is a one-shot command, quiet unless -v).
        configure_logging(settings.log_format, settings.log_level, cache_loggers=True)

    async def work(container: AsyncContainer) -> None:
        sync_worker = SyncWorker(container, settings.worker, worker_id)
        if once:
            passes = await sync_worker.drain()
            events = sum(p.inbox.claimed for p in passes)
            sent = sum(len(p.outbox.sent) for p in passes)
            click.echo(f"processed {events} event(s), sent {sent} email(s)")
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):  # not on Windows
                loop.add_signal_handler(signum, stop.set)
        at_once = settings.worker.concurrency
        click.echo(
            f"worker {sync_worker.worker_id} started ({at_once} batch(es) at a time);"
            " stop with Ctrl+C",
            err=True,
        )
        for line in opt_in_warnings(settings.production_opt_ins):
            click.echo(f"warning: {line}", err=True)
        workers = concurrent_workers(container, settings.worker, sync_worker.worker_id)
        await asyncio.gather(*(w.run(stop) for w in workers))
        click.echo(f"worker {sync_worker.worker_id} stopped", err=True)

    run_with_container(ctx, work, fast_loop=True)
