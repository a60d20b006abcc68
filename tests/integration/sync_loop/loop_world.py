"""The whole loop wired for real: the sandbox (Stripe), the API under uvicorn, Postgres,
an SMTP server, and a worker the test drives pass by pass."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import stripe
import uvicorn
from dishka import AsyncContainer
from smtp_sink import SmtpSink, running_smtp_sink

from adapters.persistence import create_engine, upgrade_database_async
from application.customers.link_customer import LinkCustomer, LinkCustomerRequest
from application.sync.backfill_mirror import BackfillMirror
from entrypoints.demo.dev_token import issue_dev_token
from entrypoints.http.app import create_app
from entrypoints.ioc import create_container
from entrypoints.settings import Settings, load_settings
from entrypoints.worker import SyncWorker
from stripe_sandbox import DeliveryPolicy, DemoRecord, SandboxSettings, seed_demo
from stripe_sandbox.testing import RunningSandbox, free_port, running_sandbox

CATALOG = Path(__file__).resolve().parents[3] / "portal-configurations.toml"
API_KEY = "sk_test_sync_loop"


async def until(check: Callable[[], Awaitable[bool]], what: str, within: float = 20) -> None:
    """Poll ``check`` until it holds, failing with ``what`` after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(0.05)


@dataclass
class SyncWorld:
    settings: Settings
    sandbox: RunningSandbox
    stripe: stripe.StripeClient
    smtp: SmtpSink
    container: AsyncContainer
    worker: SyncWorker
    api: httpx.AsyncClient
    records: dict[str, DemoRecord]
    endpoint_id: str
    webhook_secret: str
    environment: dict[str, str]  # the variables ``settings`` were read from (for the CLI)

    def customer_of(self, user_id: str) -> str:
        return self.records[user_id].customer_id

    async def summary(self, user_id: str) -> dict[str, Any]:
        token = issue_dev_token(self.settings, user_id)
        response = await self.api.get(
            "/api/billing/summary", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def work_then(self, check: Callable[[], Awaitable[bool]]) -> bool:
        """One worker pass (inbox, then outbox), then ``check``."""
        await self.worker.run_pass()
        return await check()

    async def drain(self) -> None:
        await self.worker.drain()

    async def use_case(self, kind: type[Any], call: Callable[[Any], Awaitable[Any]]) -> Any:
        async with self.container() as request:
            return await call(await request.get(kind))


def _environment(
    database_url: str, sandbox_url: str, secret: str, smtp_port: int
) -> dict[str, str]:
    return {
        "PORTAL_ENV": "development",
        "PORTAL_DATABASE_URL": database_url,
        "STRIPE_SECRET_KEY": API_KEY,
        "PORTAL_JWT_SECRET": "sync-loop-tests-hs256-secret-of-32-bytes",
        "PORTAL_SESSION_SECRET": "sync-loop-tests-page-session-secret-32b",
        "STRIPE_API_BASE": sandbox_url,
        "STRIPE_MAX_NETWORK_RETRIES": "0",
        "STRIPE_WEBHOOK_SECRETS": secret,
        "PORTAL_CATALOG_PATH": str(CATALOG),
        "PORTAL_MAIL_BACKEND": "smtp",
        "PORTAL_MAIL_FROM": "Billing <billing@saas.example>",
        "PORTAL_SMTP_HOST": "127.0.0.1",
        "PORTAL_SMTP_PORT": str(smtp_port),
        "PORTAL_SMTP_TLS": "none",
        "PORTAL_WORKER_BATCH_SIZE": "20",
        "PORTAL_LOG_LEVEL": "WARNING",
    }


@asynccontextmanager
async def _serving(settings: Settings, port: int) -> AsyncIterator[httpx.AsyncClient]:
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"api-{port}", daemon=True)
    thread.start()
    try:

        async def started() -> bool:
            return server.started or not thread.is_alive()

        await until(started, "the API to start")
        assert thread.is_alive(), "the API did not start"
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            yield client
    finally:
        server.should_exit = True
        await asyncio.to_thread(thread.join, 10)


async def _migrated(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade_database_async(engine)
    finally:
        await engine.dispose()


@asynccontextmanager
async def sync_world(
    database_url: str,
    delivery: DeliveryPolicy | None = None,
    extra_environment: dict[str, str] | None = None,
    tune: Callable[[Settings], Settings] | None = None,
) -> AsyncIterator[SyncWorld]:
    """The demo's data in the sandbox, linked and backfilled; THEN the webhook endpoint is
    registered, so only what the test does is delivered (not the seeded history).
    ``extra_environment`` adds or replaces settings variables; ``tune`` changes the settings
    (e.g. a shorter retry backoff, which no variable sets) before anything starts."""
    await _migrated(database_url)
    policy = delivery or DeliveryPolicy(initial_backoff=0.2, max_backoff=1.0, idle_poll=0.2)
    async with AsyncExitStack() as stack:
        smtp = stack.enter_context(running_smtp_sink())
        sandbox = stack.enter_context(running_sandbox(SandboxSettings(delivery=policy)))
        records = seed_demo(sandbox.store)
        http_client = stripe.HTTPXClient()
        stack.push_async_callback(http_client.close_async)
        client = stripe.StripeClient(
            API_KEY, base_addresses={"api": sandbox.url}, http_client=http_client
        )
        app_port = free_port()
        endpoint = await client.v1.webhook_endpoints.create_async(
            {
                "url": f"http://127.0.0.1:{app_port}/api/webhooks/stripe",
                "enabled_events": ["*"],
            }
        )
        assert endpoint.secret is not None
        environment = {
            **_environment(database_url, sandbox.url, endpoint.secret, smtp.port),
            **(extra_environment or {}),
        }
        settings = load_settings(environment)
        if tune is not None:
            settings = tune(settings)
        container = create_container(settings)
        stack.push_async_callback(container.close)
        for record in records:
            request = LinkCustomerRequest(
                record.user_id, record.customer_id, record.segment, record.email
            )
            async with container() as scope:
                await (await scope.get(LinkCustomer)).execute(request)
        async with container() as scope:
            await (await scope.get(BackfillMirror)).execute()
        api = await stack.enter_async_context(_serving(settings, app_port))
        yield SyncWorld(
            settings=settings,
            sandbox=sandbox,
            stripe=client,
            smtp=smtp,
            container=container,
            worker=SyncWorker(container, settings.worker, "test-worker"),
            api=api,
            records={r.user_id: r for r in records},
            endpoint_id=endpoint.id,
            webhook_secret=endpoint.secret,
            environment=environment,
        )
