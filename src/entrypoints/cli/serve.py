"""``billing-portal serve``: the HTTP API under uvicorn."""

from __future__ import annotations

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
    """Serve the HTTP API (POST /api/billing/portal-sessions, /healthz, /readyz, /schema)."""
    state = state_of(ctx)
    settings = state.settings()  # read once; a bad setting fails here with one line
    load_catalog(settings.catalog_path)  # likewise a missing or invalid catalog file
    uvicorn.run(
        create_app(settings, *state.override_providers),
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
        access_log=False,
        proxy_headers=True,
    )
