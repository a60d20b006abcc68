"""What a run needs before the scenarios: the database, the sandbox, linked users, settings.

The API and the workers run with production settings (``PORTAL_ENV=production``: JSON
logs at INFO, secrets required), pointed at loopback stand-ins: the bench database, the
Stripe stand-in (or the sandbox for workers and ``sync``), mail written to files.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import jwt

from application.configs.apply_configurations import ApplyConfigurations
from application.customers.link_customer import LinkCustomer, LinkCustomerRequest
from benchmarks.processes import clean_environment
from entrypoints.ioc import create_container
from entrypoints.logging import configure_logging
from entrypoints.settings import load_settings

ADMIN_DSN = os.environ.get("BENCH_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
WEBHOOK_SECRET = "whsec_benchmarks_only"
SANDBOX_KEY = "sk_test_sandbox"
JWT_SECRET = "benchmarks-only-hs256-secret-of-32-bytes-or-more"
JWT_ISSUER, JWT_AUDIENCE = "billing-portal-bench", "billing-portal"
CATALOG = Path(__file__).resolve().parent.parent / "portal-configurations.toml"


@dataclass(frozen=True)
class BenchDatabase:
    name: str

    @property
    def dsn(self) -> str:
        return ADMIN_DSN.rsplit("/", 1)[0] + "/" + self.name

    async def create(self) -> None:
        admin = await _connect(ADMIN_DSN)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{self.name}"')
        finally:
            await admin.close()

    async def drop(self) -> None:
        admin = await _connect(ADMIN_DSN)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            await admin.close()

    async def copy_of(self, template: str) -> None:
        """This database dropped and made again as a file copy of ``template`` (whose
        connections are ended: a copy needs its template to itself)."""
        admin = await _connect(ADMIN_DSN)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                template,
            )
            await admin.execute(
                f'CREATE DATABASE "{self.name}" TEMPLATE "{template}" STRATEGY FILE_COPY'
            )
        finally:
            await admin.close()

    async def execute(self, *statements: str) -> None:
        connection = await _connect(self.dsn)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    async def fetch_value(self, query: str) -> object:
        connection = await _connect(self.dsn)
        try:
            return await connection.fetchval(query)
        finally:
            await connection.close()


async def _connect(dsn: str, retry_seconds: float = 60) -> asyncpg.Connection:
    """A connection; a server that refuses connections or is starting up (restarted by
    someone else on a shared machine) is retried for up to ``retry_seconds``."""
    deadline = time.monotonic() + retry_seconds
    while True:
        try:
            return await asyncpg.connect(dsn)
        except (OSError, asyncpg.CannotConnectNowError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


def app_environment(
    database: BenchDatabase, stripe_base: str, data_dir: Path, port: int = 8000
) -> dict[str, str]:
    """Production settings on loopback; the tolerance is widened because the bodies are
    signed once before the run (up to 15 minutes before they are sent)."""
    return {
        **clean_environment(),
        "PORTAL_ENV": "production",
        "PORTAL_DATABASE_URL": database.dsn,
        "PORTAL_DATA_DIR": str(data_dir),
        "STRIPE_SECRET_KEY": SANDBOX_KEY,
        "STRIPE_API_BASE": stripe_base,
        "STRIPE_WEBHOOK_SECRETS": WEBHOOK_SECRET,
        "STRIPE_WEBHOOK_TOLERANCE_SECONDS": "3600",
        "PORTAL_JWT_SECRET": JWT_SECRET,
        "PORTAL_JWT_ISSUER": JWT_ISSUER,
        "PORTAL_JWT_AUDIENCE": JWT_AUDIENCE,
        "PORTAL_SESSION_SECRET": "benchmarks-only-cookie-secret-of-32-bytes-or-more",
        "PORTAL_CATALOG_PATH": str(CATALOG),
        "PORTAL_MAIL_BACKEND": "file",
        "PORTAL_MAIL_DIR": str(data_dir / "mail"),
        "PORTAL_MAIL_FROM": "Billing <billing@bench.example>",
        # The portal benchmark sends thousands of requests per user and minute.
        "PORTAL_RATE_LIMIT": "10000",
        "PORTAL_APP_BASE_URL": "https://billing.bench.example",
        # The Stripe stand-in and the sandbox listen on loopback http://.
        "PORTAL_ALLOW_SANDBOX_IN_PRODUCTION": "1",
        "PORTAL_HOST": "127.0.0.1",
        "PORTAL_PORT": str(port),
    }


def bearer_token(user_id: str, minutes: int = 60) -> str:
    now = int(time.time())
    claims = {"sub": user_id, "iss": JWT_ISSUER, "aud": JWT_AUDIENCE, "iat": now}
    return "Bearer " + jwt.encode({**claims, "exp": now + 60 * minutes}, JWT_SECRET, "HS256")


def sandbox_customers(sandbox_url: str) -> list[dict[str, object]]:
    """Every customer in the sandbox, listed 100 at a time."""
    found: list[dict[str, object]] = []
    params: dict[str, str] = {"limit": "100"}
    headers = {"Authorization": f"Bearer {SANDBOX_KEY}"}
    with httpx.Client(base_url=sandbox_url, headers=headers, timeout=60) as client:
        while True:
            page = client.get("/v1/customers", params=params).raise_for_status().json()
            found += page["data"]
            if not page["has_more"]:
                return found
            params["starting_after"] = page["data"][-1]["id"]


def bench_users(customers: list[dict[str, object]], users: int) -> dict[str, str]:
    """``bench_<n>`` user -> its customer id, for the first ``users`` of them."""
    found: dict[str, str] = {}
    for customer in customers:
        metadata = customer.get("metadata")
        user = metadata.get("bench_user") if isinstance(metadata, dict) else None
        if isinstance(user, str) and int(user.split("_")[1]) < users:
            found[user] = str(customer["id"])
    return found


def link_users_and_apply_catalog(environ: Mapping[str, str], customers: dict[str, str]) -> None:
    """The bench users linked to their customers (b2c), the portal catalog applied."""

    async def run() -> None:
        settings = load_settings(environ)
        configure_logging("console", "WARNING")  # the links' audit lines are not the table
        container = create_container(settings)
        try:
            for user_id, customer_id in customers.items():
                async with container() as scope:
                    link = await scope.get(LinkCustomer)
                    await link.execute(LinkCustomerRequest(user_id, customer_id, "b2c"))
            async with container() as scope:
                await (await scope.get(ApplyConfigurations)).execute()
        finally:
            await container.close()

    asyncio.run(run())
