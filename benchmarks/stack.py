"""The system under test: the offline Stripe sandbox, a migrated database, the app.

Everything listens on 127.0.0.1 in background threads of this process. The settings are
built from a dict, never from the environment, so a STRIPE_SECRET_KEY in the shell cannot
send a benchmark to Stripe.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from adapters.persistence import upgrade_database
from application.configs.apply_configurations import ApplyConfigurations
from application.customers.link_customer import LinkCustomer, LinkCustomerRequest
from application.sync.backfill_mirror import BackfillMirror
from entrypoints.demo.dev_token import issue_dev_token
from entrypoints.http.app import create_app
from entrypoints.ioc import create_container
from entrypoints.settings import Settings, load_settings
from stripe_sandbox import DemoRecord, SandboxSettings, build_store, create_sandbox_app, seed_demo

HOST = "127.0.0.1"
WEBHOOK_SECRET = "whsec_benchmarks_only"
CATALOG = Path(__file__).resolve().parent.parent / "portal-configurations.toml"
# Bench users linked to two seeded customers: a policy redirect and a real portal session.
BENCH_USERS = {"bench_redirect": "user_canceled", "bench_portal": "user_b2c"}


class CountingApp:
    """Wraps an ASGI app and counts the HTTP requests it serves (the provider's calls)."""

    def __init__(self, app: Any) -> None:
        self.app, self.requests = app, 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.requests += 1
        await self.app(scope, receive, send)


@dataclass(frozen=True)
class Stack:
    app_url: str
    sandbox_url: str
    sandbox: CountingApp
    settings: Settings
    tokens: dict[str, str]  # bench user -> bearer token
    customers: dict[str, str]  # bench user -> the Stripe customer id linked to them
    database: str  # "sqlite" or "postgresql"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serving(app: Any, port: int, timeout: float = 15) -> Iterator[str]:
    """Serve ``app`` with uvicorn on ``port`` of 127.0.0.1 until the block ends."""
    config = uvicorn.Config(
        app, host=HOST, port=port, log_config=None, access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"bench-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the server did not start on {HOST}:{port}")
        time.sleep(0.01)
    try:
        yield f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)


def _settings(data_dir: str, sandbox_url: str) -> Settings:
    environ = {
        "PORTAL_DATA_DIR": data_dir,
        "STRIPE_API_BASE": sandbox_url,
        "STRIPE_WEBHOOK_SECRETS": WEBHOOK_SECRET,
        "PORTAL_JWT_SECRET": "benchmarks-only-hs256-secret-of-32-bytes-or-more",
        "PORTAL_SESSION_SECRET": "benchmarks-only-cookie-secret-of-32-bytes-or-more",
        "PORTAL_CATALOG_PATH": str(CATALOG),
        # The default (10 a minute) would answer 429 within a round; 10 000 is the maximum.
        "PORTAL_RATE_LIMIT": "10000",
        # INFO writes a line per request to this terminal; see docs/benchmarks.md.
        "PORTAL_LOG_LEVEL": "WARNING",
    }
    database_url = os.environ.get("PORTAL_BENCH_DATABASE_URL")
    if database_url:
        environ["PORTAL_DATABASE_URL"] = database_url
    return load_settings(environ)


async def _prepare(settings: Settings, records: dict[str, DemoRecord]) -> None:
    """Link the bench users, apply the portal catalog, fill the mirror for both customers
    (so the policy reads subscriptions from our database, not from the provider)."""
    container = create_container(settings)
    try:
        for user_id, record in records.items():
            request = LinkCustomerRequest(user_id, record.customer_id, record.segment)
            async with container() as scope:
                await (await scope.get(LinkCustomer)).execute(request)
            async with container() as scope:
                await (await scope.get(BackfillMirror)).execute(record.customer_id)
        async with container() as scope:
            await (await scope.get(ApplyConfigurations)).execute()
    finally:
        await container.close()


@contextlib.contextmanager
def running_stack() -> Iterator[Stack]:
    with contextlib.ExitStack() as stack:
        data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="portal-bench-"))
        sandbox_port = free_port()
        sandbox_settings = dataclasses.replace(
            SandboxSettings(), public_base_url=f"http://{HOST}:{sandbox_port}"
        )
        store = build_store(sandbox_settings)  # in memory: no state_path
        demo = {r.user_id: r for r in seed_demo(store)}
        sandbox = CountingApp(create_sandbox_app(sandbox_settings, store))
        sandbox_url = stack.enter_context(serving(sandbox, sandbox_port))
        settings = _settings(data_dir, sandbox_url)
        upgrade_database(settings.database_url)
        records = {user: demo[demo_user] for user, demo_user in BENCH_USERS.items()}
        asyncio.run(_prepare(settings, records))
        app_url = stack.enter_context(serving(create_app(settings), free_port()))
        tokens = {user: issue_dev_token(settings, user, minutes=30) for user in BENCH_USERS}
        database = "postgresql" if settings.database_url.startswith("postgres") else "sqlite"
        customers = {user: record.customer_id for user, record in records.items()}
        yield Stack(app_url, sandbox_url, sandbox, settings, tokens, customers, database)
