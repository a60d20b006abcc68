"""Hot reads as plain SQL on the asyncpg connection under a SQLAlchemy session or engine.

SQLAlchemy's per-statement work (compiled-cache lookup, execution context, result
processing) was most of the time of ``GET /api/billing/summary`` and a large part of a
portal session (docs/PERFORMANCE.md). On PostgreSQL the hottest reads therefore run as
prebuilt SQL on the session's own asyncpg connection: inside the session's transaction
when it has begun one, else each as its own statement (reads only; every write stays on
SQLAlchemy). JSON columns come back decoded and timestamps aware, by the codecs SQLAlchemy
set on the connection. On any other driver the callers use their SQLAlchemy statements.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.util import greenlet_spawn

from adapters.persistence.errors import describe, translate_database_errors
from application.errors import PersistenceUnavailable
from application.ports.transaction_manager import TransactionManager


async def session_driver(session: AsyncSession, action: str) -> Any:
    """The asyncpg connection of ``session`` (checked out now if need be), or ``None`` when
    the database is not PostgreSQL on asyncpg. A ``PooledUnit`` in place of the session
    gives its own connection."""
    if isinstance(session, PooledUnit):
        return await session.driver(action)
    if session.get_bind().dialect.driver != "asyncpg":
        return None
    with translate_database_errors(action):
        connection = await session.connection()
        raw = await connection.get_raw_connection()
    return raw.driver_connection


async def connection_driver(connection: AsyncConnection) -> Any:
    """The asyncpg connection under an engine connection, or ``None`` on another driver."""
    if connection.dialect.driver != "asyncpg":
        return None
    raw = await connection.get_raw_connection()
    return raw.driver_connection


@asynccontextmanager
async def pooled_driver(engine: AsyncEngine, action: str) -> AsyncIterator[Any]:
    """An asyncpg connection checked out of ``engine``'s pool for a few autocommitted
    statements, and returned to it after (PostgreSQL on asyncpg only).

    The pool's own checkout and checkin, without an ``AsyncSession`` or an engine
    ``Connection`` around them: the session's begin, connection and close were 16% of
    ``GET /api/billing/summary``, an engine connection's 5% of a portal session. The
    pool's checkout events still run (``engine.py`` discards a connection the server
    closed) and a checkin still resets the connection (a rollback if a transaction was
    left open). Failures raise ``PersistenceUnavailable``."""
    pool = engine.sync_engine.pool
    with driver_errors(action):
        try:
            fairy = await greenlet_spawn(pool.connect)
        except engine.dialect.loaded_dbapi.Error as error:  # the adapter's, not wrapped
            raise PersistenceUnavailable(
                f"database failure while {action}: {describe(error)}"
            ) from error
    try:
        yield fairy.driver_connection
    finally:
        await greenlet_spawn(fairy.close)


@dataclass(frozen=True, slots=True)
class CarriedRead:
    """A read that another statement on a ``PooledUnit`` carries along, so that it costs
    no round trip of its own (the portal's rate-limit hit carries the user's link read).

    The carrying statement selects ``columns`` from a one-row table joined, by ``joins``
    (``LEFT JOIN``s, ``{param}`` where ``value`` is bound), to what is read, ordered by
    ``order_by``: one row at least, whose ``columns`` are NULL when nothing was found.
    The rows are kept in the unit's ``read_ahead`` under ``key``."""

    key: tuple[str, str]
    columns: str
    joins: str
    order_by: str
    value: Any


class PooledUnit(TransactionManager):
    """A request's autocommitted statements on one pooled asyncpg connection, checked out
    at the first statement and given back at ``commit`` or ``rollback`` (or ``release``).

    For a unit of work that never opens a transaction on PostgreSQL: the portal session's
    rate-limit hit, its reads and its audit row each commit by themselves. It stands in
    for the ``AsyncSession`` of the repositories whose PostgreSQL path needs only
    ``session_driver`` (``SqlaCustomerDirectory.get``, ``SqlaBillingMirror
    .complete_subscriptions``, ``SqlaConfigurationMappings.get``,
    ``SqlaPortalAccessAudit.record_and_commit``); anything else of a session raises
    ``AttributeError``. The session's autobegin, connection, commit and close, and the
    limiter's own checkout, were ~15% of a portal session (docs/PERFORMANCE.md).
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._fairy: Any = None
        # Rows a repository read ahead in one of its statements, for another repository's
        # next read on this unit (taken once; forgotten when the unit ends).
        self.read_ahead: dict[tuple[str, str], Any] = {}
        self._carried: CarriedRead | None = None

    def carry(self, read: CarriedRead) -> None:
        """``read`` goes with the unit's next statement that can carry one."""
        self._carried = read

    def take_carried(self) -> CarriedRead | None:
        """The read to carry (once), if any."""
        read, self._carried = self._carried, None
        return read

    async def driver(self, action: str) -> Any:
        if self._fairy is None:
            with driver_errors(action):
                try:
                    self._fairy = await greenlet_spawn(self._engine.sync_engine.pool.connect)
                except self._engine.dialect.loaded_dbapi.Error as error:
                    raise PersistenceUnavailable(
                        f"database failure while {action}: {describe(error)}"
                    ) from error
        return self._fairy.driver_connection

    async def release(self) -> None:
        self.read_ahead.clear()
        self._carried = None
        fairy, self._fairy = self._fairy, None
        if fairy is not None:
            await greenlet_spawn(fairy.close)

    async def commit(self) -> None:
        await self.release()  # every statement committed by itself

    async def rollback(self) -> None:
        await self.release()  # nothing was left open to undo

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        raise NotImplementedError("a PooledUnit runs no transaction to nest in")

    @property
    def supports_savepoints(self) -> bool:
        return False


@contextmanager
def driver_errors(action: str) -> Iterator[None]:
    """``translate_database_errors`` for statements run on the asyncpg connection itself,
    whose errors SQLAlchemy never sees (nor wraps in ``DBAPIError``)."""
    with translate_database_errors(action):
        try:
            yield
        except (asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            detail = describe(error)
            if isinstance(error, asyncpg.UndefinedTableError):
                detail += " (the schema is missing or out of date: run `billing-portal db upgrade`)"
            raise PersistenceUnavailable(f"database failure while {action}: {detail}") from error


def columns(alias: str, table: Table) -> str:
    """``alias.col AS "alias.col", ...`` for every column of ``table``."""
    return ", ".join(f'{alias}.{c.name} AS "{alias}.{c.name}"' for c in table.columns)


# (the row's column names, alias) -> [(position, unprefixed name)]: a statement's rows
# all have the same columns, so each row is read by position instead of scanning every
# column name for each alias (that scan was 5% of a billing page).
_LAYOUTS: dict[tuple[tuple[str, ...], str], list[tuple[int, str]]] = {}
_LAYOUTS_KEPT = 256


def prefixed(row: Any, alias: str) -> dict[str, Any] | None:
    """The columns of ``alias`` in a joined row, unprefixed; None when the join found none."""
    return take(row, layout(row, alias))


def layout(row: Any, alias: str) -> list[tuple[int, str]]:
    """Where the columns of ``alias`` are in ``row`` (and in every row of its statement):
    for ``take``, when many rows are read with the same layout."""
    names = tuple(row.keys())
    found = _LAYOUTS.get((names, alias))
    if found is None:
        prefix = alias + "."
        found = [(i, k.removeprefix(prefix)) for i, k in enumerate(names) if k.startswith(prefix)]
        if len(_LAYOUTS) >= _LAYOUTS_KEPT:
            _LAYOUTS.clear()
        _LAYOUTS[(names, alias)] = found
    return found


def take(row: Any, columns: list[tuple[int, str]]) -> dict[str, Any] | None:
    """The columns at ``columns`` (a ``layout``) of ``row``; None when the join found none."""
    found = {name: row[i] for i, name in columns}
    return None if found["id"] is None else found
