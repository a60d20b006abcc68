"""``billing-portal serve``: the HTTP API under uvicorn."""

from __future__ import annotations

import signal
from types import FrameType

import click
import uvicorn

from adapters.catalog.toml_catalog import load_catalog
from entrypoints.cli.runtime import state_of
from entrypoints.http.app import create_app


@click.command()
@click.option("--host", help="Address to listen on (default PORTAL_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default PORTAL_PORT, 8000).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve the HTTP API (POST /api/billing/portal-sessions, /healthz, /readyz, /schema).

    On SIGTERM or Ctrl+C it stops accepting connections, lets the requests in flight
    finish, and exits 0.
    """
    state = state_of(ctx)
    settings = state.settings()  # read once; a bad setting fails here with one line
    load_catalog(settings.catalog_path)  # likewise a missing or invalid catalog file
    app = create_app(settings, *state.override_providers)
    _exit_cleanly_after_draining()  # last: until uvicorn runs, Ctrl+C still interrupts
    uvicorn.run(
        app,
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
        access_log=False,
        proxy_headers=True,
    )


def _exit_cleanly_after_draining() -> None:
    """uvicorn catches SIGTERM/SIGINT, drains, puts back the handlers it found and raises
    the signal again; with these no-op handlers in place that ends ``uvicorn.run``
    normally, so a drained server exits 0 rather than "killed by SIGTERM"."""

    def drained(signum: int, frame: FrameType | None) -> None:
        del signum, frame

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, drained)
