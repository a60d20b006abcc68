"""``billing-portal serve``: the HTTP API under uvicorn, one process per CPU by default.

On SIGTERM or Ctrl+C it stops accepting connections, lets the requests in flight finish,
and exits 0."""

from __future__ import annotations

import gc
import os
import signal
from types import FrameType

import click
import uvicorn
from litestar import Litestar

from adapters.catalog.toml_catalog import load_catalog
from entrypoints.cli.runtime import state_of
from entrypoints.cli.serve_processes import hold_port, run_processes
from entrypoints.http.app import create_app, serve_app
from entrypoints.settings import Settings

# Each uvicorn worker process imports this and builds its app from the environment.
APP_FACTORY = "entrypoints.cli.serve:worker_app"
# What a serving process built as it started is moved out of the garbage collector's sight
# (gc.freeze): a full collection under load walked the whole app's objects, 120-200 ms
# every 10-15 s during which every request of that process waited (measured with
# gc.callbacks under the summary's load: 10-16 ms once frozen). The thresholds stay
# Python's: raising them measured no gain (docs/PERFORMANCE.md).


def worker_app() -> Litestar:
    """The app of one ``billing-portal serve --workers N`` process, from the environment."""
    return with_frozen_start(serve_app())


def with_frozen_start(app: Litestar) -> Litestar:
    app.on_startup.append(_freeze_start)
    return app


def _freeze_start() -> None:
    """Once the app has started (its last start-up step): everything it holds is frozen."""
    gc.collect()
    gc.freeze()


def default_workers(settings: Settings) -> int:
    """One process per CPU on PostgreSQL; one on SQLite, which has a single writer."""
    if settings.database_url.startswith("sqlite"):
        return 1
    return os.cpu_count() or 1


@click.command()
@click.option("--host", help="Address to listen on (default PORTAL_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default PORTAL_PORT, 8000).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Server processes sharing the port (default: the number of CPUs; 1 on SQLite).",
)
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the HTTP API (POST /api/billing/portal-sessions, /healthz, /readyz, /schema)."""
    state = state_of(ctx)
    settings = state.settings()  # read once; a bad setting fails here with one line
    load_catalog(settings.catalog_path)  # likewise a missing or invalid catalog file
    workers = workers or default_workers(settings)
    address: tuple[str, int] = (host or settings.host, port or settings.port)
    options = {
        "host": address[0],
        "port": address[1],
        "log_config": None,
        "access_log": False,
        "proxy_headers": True,
    }
    if workers == 1:
        app = with_frozen_start(create_app(settings, *state.override_providers, cache_loggers=True))
        _exit_cleanly_after_draining()  # last: until uvicorn runs, Ctrl+C still interrupts
        uvicorn.run(app, **options)  # type: ignore[arg-type]
        return
    if state.override_providers:
        raise click.UsageError("--workers > 1 builds each app from the environment (no overrides)")
    if settings.web.uses_random_secret:
        # Every process must sign and read the same page sessions: share this one secret.
        os.environ["PORTAL_SESSION_SECRET"] = settings.web.session_secret
    try:
        holder = hold_port(*address)
    except OSError as error:
        raise click.ClickException(
            f"cannot listen on {address[0]}:{address[1]} ({error.strerror or error});"
            " choose another --port (or PORTAL_PORT) or stop what is using it"
        ) from None
    _exit_cleanly_after_draining()
    # Each process imports the whole app before it answers uvicorn's health check: on a
    # busy machine that takes longer than uvicorn's 5 s default, which would kill it.
    config = uvicorn.Config(
        APP_FACTORY,
        factory=True,
        workers=workers,
        timeout_worker_healthcheck=60,
        **options,  # type: ignore[arg-type]
    )
    # Each process listens on a socket of its own, so that the kernel spreads connections
    # over them evenly (entrypoints/cli/serve_processes.py).
    run_processes(config, holder)


def _exit_cleanly_after_draining() -> None:
    """uvicorn catches SIGTERM/SIGINT, drains, puts back the handlers it found and raises
    the signal again; with these no-op handlers in place that ends ``uvicorn.run``
    normally, so a drained server exits 0 rather than "killed by SIGTERM"."""

    def drained(signum: int, frame: FrameType | None) -> None:
        del signum, frame

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, drained)
