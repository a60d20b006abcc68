"""Databases for the integration tests: a real PostgreSQL (never skipped) and SQLite files.

PostgreSQL comes from, in order: ``PORTAL_TEST_DATABASE_URL`` (a role allowed to CREATE
DATABASE); a testcontainers ``PostgresContainer`` when a Docker engine answers; the local
server at 127.0.0.1:5432 (user ``postgres``). With none of them the Postgres tests fail
and say how to provide one. Each test session works in its own freshly created database,
dropped at the end, so it never touches data that is already on the server.

Fixtures:
- ``postgres_url``: the session's database, migrated to head (asyncpg URL).
- ``migrated_sqlite_url``: the same for a SQLite file.
- ``database_url``: parametrised over both; ``engine`` / ``session_factory`` / ``session``
  on it start every test with every table empty.
- ``empty_database_url`` (both), ``empty_postgres_url``, ``sqlite_url``: never migrated.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import delete, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as sa_create_async_engine
from sqlalchemy.pool import NullPool

from adapters.persistence import (
    async_database_url,
    create_engine,
    create_session_factory,
    metadata,
    upgrade_database_async,
)

DATABASE_URL_VARIABLE = "PORTAL_TEST_DATABASE_URL"
LOCAL_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
POSTGRES_IMAGE = "postgres:16-alpine"


@dataclass(frozen=True)
class PostgresServer:
    """A server on which the tests may create and drop their own databases."""

    admin_url: str
    source: str

    async def create_database(self) -> str:
        name = f"portal_test_{os.getpid()}_{secrets.token_hex(4)}"
        await _admin_execute(self.admin_url, f'CREATE DATABASE "{name}"')
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    async def drop_database(self, url: str) -> None:
        name = make_url(url).database
        await _admin_execute(self.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _admin_execute(admin_url: str, statement: str) -> None:
    engine = sa_create_async_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def _unreachable_reason(url: str) -> str | None:
    try:
        await asyncio.wait_for(_admin_execute(url, "SELECT 1"), timeout=5)
    except Exception as error:
        return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    return None


def _docker_answers() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


def _no_postgres(tried: list[str]) -> NoReturn:
    pytest.fail(
        "No PostgreSQL server for the integration tests (they are never skipped). Provide one:\n"
        f"  - set {DATABASE_URL_VARIABLE}=postgresql://USER:PASSWORD@HOST:PORT/DB "
        "(the role must be allowed to CREATE DATABASE), or\n"
        "  - start a Docker engine (testcontainers then runs " + POSTGRES_IMAGE + "), or\n"
        "  - run PostgreSQL at 127.0.0.1:5432 accepting user 'postgres' without a password.\n"
        "Tried: " + "; ".join(tried),
        pytrace=False,
    )


@pytest.fixture(scope="session")
async def postgres_server() -> AsyncIterator[PostgresServer]:
    tried: list[str] = []
    configured = os.environ.get(DATABASE_URL_VARIABLE)
    if configured:
        url = async_database_url(configured)
        reason = await _unreachable_reason(url)
        if reason is None:
            yield PostgresServer(url, DATABASE_URL_VARIABLE)
            return
        tried.append(f"{DATABASE_URL_VARIABLE}: {reason}")
        _no_postgres(tried)
    if _docker_answers():
        from testcontainers.postgres import PostgresContainer

        container = PostgresContainer(POSTGRES_IMAGE, driver="asyncpg")
        await asyncio.to_thread(container.start)
        try:
            yield PostgresServer(container.get_connection_url(), "testcontainers")
        finally:
            await asyncio.to_thread(container.stop)
        return
    tried.append("Docker: no engine answered")
    reason = await _unreachable_reason(LOCAL_POSTGRES)
    if reason is None:
        yield PostgresServer(LOCAL_POSTGRES, "local server at 127.0.0.1:5432")
        return
    tried.append(f"127.0.0.1:5432: {reason}")
    _no_postgres(tried)


@pytest.fixture(scope="session")
async def postgres_url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """A database of its own for this test session, migrated to head."""
    url = await postgres_server.create_database()
    try:
        await _migrate(url)
        yield url
    finally:
        await postgres_server.drop_database(url)


@pytest.fixture
async def empty_postgres_url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """A brand-new database with nothing in it, dropped after the test."""
    url = await postgres_server.create_database()
    try:
        yield url
    finally:
        await postgres_server.drop_database(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file that does not exist yet (never migrated)."""
    return f"sqlite+aiosqlite:///{tmp_path / 'data' / 'portal.db'}"


@pytest.fixture(scope="session")
async def migrated_sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sqlite') / 'portal.db'}"
    await _migrate(url)
    return url


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres), "sqlite"])
def database_url(request: pytest.FixtureRequest) -> str:
    """A migrated database URL, once per backend."""
    name = "postgres_url" if request.param == "postgres" else "migrated_sqlite_url"
    url: str = request.getfixturevalue(name)
    return url


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres), "sqlite"])
def empty_database_url(request: pytest.FixtureRequest) -> str:
    """A database nobody has migrated yet, once per backend."""
    name = "empty_postgres_url" if request.param == "postgres" else "sqlite_url"
    url: str = request.getfixturevalue(name)
    return url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on ``database_url`` whose tables are all empty when the test starts."""
    engine = create_engine(database_url)
    try:
        await empty_all_tables(engine)
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
async def session(
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with session_factory() as session:
        yield session


async def empty_all_tables(engine: AsyncEngine) -> None:
    """Delete every row of every application table (the schema and its revision stay)."""
    tables = list(reversed(metadata.sorted_tables))
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await connection.execute(delete(table))


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade_database_async(engine)
    finally:
        await engine.dispose()
