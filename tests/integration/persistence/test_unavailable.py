"""An unreachable or broken database surfaces as PersistenceUnavailable, never a driver error."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence import (
    SqlaConfigurationMappings,
    SqlaCustomerDirectory,
    SqlaPortalAccessAudit,
    SqlaRateLimiter,
    check_database,
    create_engine,
    create_session_factory,
    upgrade_database,
)
from adapters.persistence.errors import describe
from application.errors import PersistenceUnavailable
from application.ports.access_audit import PortalAccessRecord


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def unreachable_url() -> str:
    return f"postgresql://portal:secret-password@127.0.0.1:{_closed_port()}/portal"


@pytest.fixture
async def unreachable_engine(unreachable_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(unreachable_url, connect_timeout=2)
    yield engine
    await engine.dispose()


async def test_the_readiness_check_names_the_database_but_not_its_password(
    unreachable_engine: AsyncEngine,
) -> None:
    with pytest.raises(PersistenceUnavailable, match=r"127\.0\.0\.1") as failure:
        await check_database(unreachable_engine)

    assert "secret-password" not in failure.value.message


async def test_the_readiness_check_passes_on_a_live_database(engine: AsyncEngine) -> None:
    await check_database(engine)


async def test_repositories_raise_persistence_unavailable(
    unreachable_engine: AsyncEngine,
) -> None:
    record = PortalAccessRecord("u", datetime(2025, 1, 1, tzinfo=UTC), "refused", "x")
    async with create_session_factory(unreachable_engine)() as session:
        with pytest.raises(PersistenceUnavailable):
            await SqlaCustomerDirectory(session).get("user-1")
        with pytest.raises(PersistenceUnavailable):
            await SqlaConfigurationMappings(session).list()
        with pytest.raises(PersistenceUnavailable):
            await SqlaPortalAccessAudit(session).record(record)
    with pytest.raises(PersistenceUnavailable):
        await SqlaRateLimiter(unreachable_engine).hit(
            "k", limit=1, window_seconds=60, now=datetime(2025, 1, 1, tzinfo=UTC)
        )


def test_migrating_an_unreachable_database_raises_persistence_unavailable(
    unreachable_url: str,
) -> None:
    with pytest.raises(PersistenceUnavailable, match="migrating"):
        upgrade_database(unreachable_url)


async def test_a_database_that_was_never_migrated_raises_persistence_unavailable(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)
    try:
        async with create_session_factory(engine)() as session:
            with pytest.raises(PersistenceUnavailable, match="customer_links") as failure:
                await SqlaCustomerDirectory(session).get("user-1")
        assert "billing-portal db upgrade" in failure.value.message
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_a_connection_the_server_dropped_is_replaced_before_use(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    killer = create_engine(postgres_url)
    try:
        async with engine.connect() as connection:
            pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        async with killer.connect() as connection:
            # the timeout makes it wait until the backend is gone (PostgreSQL 14+)
            terminate = text("SELECT pg_terminate_backend(:pid, 5000)")
            await connection.execute(terminate, {"pid": pid})

        await check_database(engine)
    finally:
        await engine.dispose()
        await killer.dispose()


def test_a_driver_message_quoting_a_connection_url_loses_its_password() -> None:
    error = OSError("cannot reach postgresql://portal:secret-password@db.internal:5432/portal")

    assert (
        describe(error) == "OSError: cannot reach postgresql://portal:***@db.internal:5432/portal"
    )
