"""Running the Alembic migrations from code (no alembic.ini needed).

The sync functions suit the CLI (``billing-portal db upgrade``); they run the async ones
on a private event loop in a worker thread, so they also work when called from code that
already runs an event loop. Inside async code prefer the ``*_async`` functions.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence.engine import async_database_url, create_engine
from adapters.persistence.errors import translate_database_errors

MIGRATIONS = Path(__file__).with_name("migrations")

T = TypeVar("T")


def alembic_config(url: str | None = None) -> Config:
    """An Alembic ``Config`` for our migrations; ``url`` is only needed for offline SQL."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.attributes["url"] = async_database_url(url)
    return config


def head_revision() -> str:
    """The newest revision the code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return head


async def upgrade_database_async(engine: AsyncEngine, revision: str = "head") -> None:
    """Migrate the database behind ``engine`` forward to ``revision`` (a no-op when there)."""

    def upgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    with translate_database_errors(f"migrating the database to {revision}"):
        async with engine.begin() as connection:
            await connection.run_sync(upgrade)


async def current_revision_async(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    with translate_database_errors("reading the schema revision"):
        async with engine.connect() as connection:
            return await connection.run_sync(read)


def upgrade_database(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` forward to ``revision``; raises PersistenceUnavailable."""
    _run_in_thread(_with_engine(url, lambda engine: upgrade_database_async(engine, revision)))


def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at, or None when it was never migrated."""
    return _run_in_thread(_with_engine(url, current_revision_async))


async def _with_engine(url: str, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    engine = create_engine(url)
    try:
        return await work(engine)
    finally:
        await engine.dispose()


def _run_in_thread(coroutine: Coroutine[Any, Any, T]) -> T:
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as error:  # handed back to the calling thread below
            outcome["error"] = error

    worker = threading.Thread(target=run, name="alembic-migrations")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    value: T = outcome["value"]
    return value
