"""The portal access audit: one row and one log line per attempt."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

import msgspec
import structlog
from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from adapters.persistence.driver_reads import PooledUnit, driver_errors, session_driver
from adapters.persistence.errors import translate_database_errors
from adapters.persistence.group_commit import GroupCommit, KeptConnections
from adapters.persistence.tables import portal_access_audit
from application.ports.access_audit import PortalAccessAudit, PortalAccessRecord
from application.ports.portal_access_history import PortalAccessHistory
from application.ports.transaction_manager import TransactionManager

MAX_USER_AGENT = 512
_INSERT = insert(portal_access_audit)  # built once; executed with each attempt's values
# The same insert as SQL for the asyncpg connection itself (PostgreSQL): one round trip.
_COLUMNS = [c.name for c in portal_access_audit.columns if c.name != "id"]
_INSERT_SQL = (
    f"INSERT INTO {portal_access_audit.name} ({', '.join(_COLUMNS)}) "  # noqa: S608 (our own names)
    f"VALUES ({', '.join(f'${n}' for n in range(1, len(_COLUMNS) + 1))})"
)


class AuditRowBatches:
    """Portal audit rows of concurrent requests written together (PostgreSQL on asyncpg):
    one autocommitted ``INSERT ... SELECT FROM jsonb_to_recordset($1)`` per batch, on a
    kept connection, each caller answered after that statement committed
    (``group_commit``). Alone, a row is written at once; under load the rows that arrive
    while a batch is in flight share the next one's round trip and WAL flush. A row
    written by itself cost a portal session ~220 us of its process's CPU and ~130 us of
    PostgreSQL's (docs/PERFORMANCE.md). A failed or timed-out batch fails each of its
    callers with ``PersistenceUnavailable``.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        max_batch: int = 500,
        max_writers: int = 4,
        batch_timeout: float = 5.0,
    ) -> None:
        self._kept = KeptConnections(engine, keep=max_writers)
        self._group: GroupCommit[dict[str, object], None] = GroupCommit(
            self._write,
            lambda count: f"auditing {count} portal access(es)",
            max_batch=max_batch,
            max_writers=max_writers,
            batch_timeout=batch_timeout,
        )

    async def write(self, values: dict[str, object]) -> None:
        """``values`` (every column but ``id``; ``occurred_at`` aware) stored and committed."""
        await self._group.submit(values)

    async def _write(self, rows: list[dict[str, object]]) -> list[None]:
        batch = _encode_rows(rows).decode()
        with driver_errors(f"auditing {len(rows)} portal access(es)"):
            await self._kept.run(lambda driver: driver.execute(_BATCH_INSERT_SQL, batch))
        return [None] * len(rows)

    async def close(self) -> None:
        """The kept connections go back to the pool (before the engine is disposed)."""
        await self._kept.close()


class SqlaPortalAccessAudit(PortalAccessAudit):
    """Inserts the attempt into ``portal_access_audit`` and logs ``portal.access.decided``.

    The row is part of the caller's unit of work (not committed here); the log line is
    written at once, so an attempt whose transaction later fails is still in the logs. The
    record holds no secrets. Text longer than its column (user agents: ``MAX_USER_AGENT``)
    is cut short rather than failing the attempt: an audit must never refuse a request.

    ``log_info(logger, event, fields)`` writes the line as ``logger.info(event, **fields)``
    would (the default); the entrypoints give one that writes production's JSON lines
    without structlog's processors (``entrypoints.logging.log_info``).
    """

    def __init__(
        self,
        session: AsyncSession,
        *,
        log_info: LogInfo | None = None,
        batches: AuditRowBatches | None = None,
    ) -> None:
        self._session = session
        self._log_info = log_info or _structlog_info
        self._batches = batches

    async def record(self, entry: PortalAccessRecord) -> None:
        values = self._logged(entry)
        with translate_database_errors(f"auditing a portal access by {entry.user_id!r}"):
            await self._session.execute(_INSERT, values)

    async def record_and_commit(
        self, entry: PortalAccessRecord, transaction: TransactionManager
    ) -> None:
        """On PostgreSQL, when the session's connection holds no open transaction (the
        portal's reads run outside one, and its transaction was committed before the
        Stripe call), the row is the only thing to commit: one autocommitted ``INSERT``
        on that connection instead of ``BEGIN``, ``INSERT`` and ``COMMIT``. On a
        ``PooledUnit`` (whose statements never run in a transaction) given ``batches``,
        the unit's connection goes back to the pool first and the row is written with
        the other requests' rows of the moment (``AuditRowBatches``)."""
        action = f"auditing a portal access by {entry.user_id!r}"
        if self._batches is not None and isinstance(self._session, PooledUnit):
            values = self._logged(entry)
            values["occurred_at"] = _utc(entry.occurred_at)
            await transaction.commit()  # the unit's connection, back to the pool
            await self._batches.write(values)
            return
        driver = await session_driver(self._session, action)
        if driver is None or driver.is_in_transaction():
            await self.record(entry)
            await transaction.commit()
            return
        values = self._logged(entry)
        values["occurred_at"] = _utc(entry.occurred_at)
        with driver_errors(action):
            await driver.execute(_INSERT_SQL, *[values[c] for c in _COLUMNS])
        await transaction.commit()  # ends the session's (empty) transaction

    def _logged(self, entry: PortalAccessRecord) -> dict[str, object]:
        # The record's fields are all scalars: read directly (``asdict`` copies each deeply).
        values = {name: _fit(name, getattr(entry, name)) for name in _FIELDS}
        # A fresh proxy per call: a logger cached at import would miss later configuration.
        self._log_info(
            structlog.get_logger("billing_portal.audit"),
            "portal.access.decided",
            {**values, "occurred_at": entry.occurred_at.isoformat()},
        )
        return values


LogInfo = Callable[[Any, str, dict[str, Any]], None]


def _structlog_info(logger: Any, event: str, fields: dict[str, Any]) -> None:
    logger.info(event, **fields)


def _utc(value: datetime) -> datetime:
    """As ``UtcDateTime`` binds it: aware, in UTC; a naive time is refused."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}; pass a timezone-aware one")
    return value.astimezone(UTC)


def _fit(name: str, value: object) -> object:
    """Text as PostgreSQL can store it, cut to its column: a NUL character or a lone
    surrogate (a client's header, a token's claim) would fail the insert, and in a batch
    (``AuditRowBatches``) every other attempt's row with it."""
    if not isinstance(value, str):
        return value
    if not value.isprintable() and ("\x00" in value or _has_surrogate(value)):
        value = value.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")
    return value[: _LENGTHS[name]]


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


# Each text column's length (MAX_USER_AGENT where the column has none), looked up once.
_LENGTHS = {
    c.name: getattr(c.type, "length", None) or MAX_USER_AGENT for c in portal_access_audit.columns
}


# The batch's rows as one JSON array (one parameter: the same prepared statement for any
# batch size), each column typed as the table declares it.
_TYPED = ", ".join(
    f"{c.name} {c.type.compile(dialect=postgresql.dialect())}"  # type: ignore[no-untyped-call]
    for c in portal_access_audit.columns
    if c.name != "id"
)
_BATCH_INSERT_SQL = (
    f"INSERT INTO {portal_access_audit.name} ({', '.join(_COLUMNS)}) "  # noqa: S608 (our own names)
    f"SELECT {', '.join(f'r.{name}' for name in _COLUMNS)} "
    f"FROM jsonb_to_recordset($1::text::jsonb) AS r({_TYPED})"
)
_encode_rows = msgspec.json.Encoder().encode


class SqlaPortalAccessHistory(PortalAccessHistory):
    """Reads ``portal_access_audit`` on the request's session (index on ``occurred_at``)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list_entries(
        self, *, since: datetime | None = None, user_id: str | None = None, limit: int = 100
    ) -> list[PortalAccessRecord]:
        table = portal_access_audit
        query = select(table).order_by(table.c.occurred_at.desc(), table.c.id.desc()).limit(limit)
        if since is not None:
            query = query.where(table.c.occurred_at >= since)
        if user_id is not None:
            query = query.where(table.c.user_id == user_id)
        with translate_database_errors("reading the portal access audit"):
            rows = (await self._session.execute(query)).mappings()
            return [PortalAccessRecord(**{f: row[f] for f in _FIELDS}) for row in rows]


_FIELDS = [f.name for f in fields(PortalAccessRecord)]
