"""Engines and sessions for PostgreSQL (asyncpg) and SQLite (aiosqlite).

SQLite runs in the sqlite3 driver's default (legacy) transaction mode: a transaction
begins at the first write, which keeps "database is locked" errors rare; WAL lets readers
and the single writer proceed together and ``busy_timeout`` makes writers wait their turn.
"""

from __future__ import annotations

import select
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

from adapters.persistence.errors import translate_database_errors

SQLITE_BUSY_TIMEOUT_MS = 5_000

_ASYNC_DRIVERS = {
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "postgresql+psycopg": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
}


def async_database_url(url: str) -> str:
    """``url`` rewritten for the async drivers (``postgresql://`` -> ``postgresql+asyncpg://``,
    ``sqlite:///`` -> ``sqlite+aiosqlite:///``). Raises ``ValueError`` for anything else."""
    parsed = _parse(url)
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    if driver is None:
        raise ValueError(
            f"unsupported database URL scheme {parsed.drivername!r}; "
            "use postgresql://... or sqlite:///path/to/file.db"
        )
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def create_engine(url: str, *, echo: bool = False, connect_timeout: float = 10.0) -> AsyncEngine:
    """An async engine for ``url`` (plain or async scheme), tuned for its database."""
    parsed = _parse(async_database_url(url))
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, echo=echo, connect_timeout=connect_timeout)
    engine = _create_async_engine(
        parsed,
        echo=echo,
        # Up to 15 connections, all kept once opened: with 5 kept and 10 overflow, 16
        # concurrent requests per process opened and closed a connection per checkout
        # (connect, TLS probe, codec setup and every statement prepared again: ~12% of a
        # portal session under 32 connections, docs/PERFORMANCE.md).
        pool_size=15,
        max_overflow=0,
        pool_timeout=connect_timeout,
        pool_recycle=1800,
        json_serializer=_json_text,
        json_deserializer=msgspec.json.decode,
        # No pool_pre_ping: its SELECT 1 is one more round trip on every checkout (12% of
        # the webhook route's time, docs/PERFORMANCE.md). _skip_closed_connections catches
        # a dropped connection without one.
        connect_args={
            "timeout": connect_timeout,
            "command_timeout": 30,
            "server_settings": {"application_name": "billing-portal"},
        },
    )
    event.listen(engine.sync_engine, "checkout", _skip_closed_connections)
    return engine


def _json_text(value: Any) -> str:
    """JSON columns (webhook payloads of 1 to 4 KB on the ingest path) encoded by msgspec,
    several times faster than the standard library's ``json.dumps``."""
    return msgspec.json.encode(value).decode()


def _skip_closed_connections(_dbapi: Any, record: Any, _proxy: Any) -> None:
    """What ``pool_pre_ping`` guarantees, without its round trip: a pooled connection the
    server has closed (restart, failover, terminated backend) is discarded at checkout and
    the pool hands out another. asyncpg marks it closed once its socket saw the end; until
    the event loop got to that, the end (or the server's last FATAL message: an idle
    connection has nothing else to read) is waiting in the socket, where a peek sees it."""
    driver = record.driver_connection
    if driver is not None and (driver.is_closed() or server_spoke_or_left(driver)):
        raise DisconnectionError("the server closed this pooled connection")


def server_spoke_or_left(driver: Any) -> bool:
    """Whether the connection's socket has something to read (the server's last message,
    the end) or is in error, without reading it: one ``poll`` of the descriptor, which
    asyncpg's transport owns (a peek through a duplicated socket object took four system
    calls, 3.6% of ``GET /api/billing/summary``, docs/PERFORMANCE.md)."""
    transport = getattr(driver, "_transport", None)
    wrapped = transport.get_extra_info("socket") if transport is not None else None
    if wrapped is None:
        return False
    descriptor = wrapped.fileno()
    if descriptor < 0:
        return True  # the socket is closed
    poller = select.poll()
    # POLLERR, POLLHUP and POLLNVAL (a closed descriptor) are always reported.
    poller.register(descriptor, _SPOKE)
    return bool(poller.poll(0))


_SPOKE = select.POLLIN | select.POLLPRI | getattr(select, "POLLRDHUP", 0)


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose loaded values stay readable after commit (``expire_on_commit=False``)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def check_database(engine: AsyncEngine) -> None:
    """Round-trip ``SELECT 1``; raises ``PersistenceUnavailable`` when that fails."""
    where = engine.url.render_as_string(hide_password=True)
    with translate_database_errors(f"checking the database at {where}"):
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError as error:
        raise ValueError(f"malformed database URL: {error}") from error


def _sqlite_engine(url: URL, *, echo: bool, connect_timeout: float) -> AsyncEngine:
    database = url.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file:")
    if not in_memory:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = _create_async_engine(
        url,
        echo=echo,
        json_serializer=_json_text,
        json_deserializer=msgspec.json.decode,
        connect_args={"timeout": max(connect_timeout, 1.0)},
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _tune(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    return engine
