"""Webhook events into ``webhook_events`` with group commit: one transaction per burst."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from functools import partial
from typing import Any

import asyncpg
import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence.errors import translate_database_errors
from adapters.persistence.event_inbox import inbox_row
from adapters.persistence.group_commit import GroupCommit, KeptConnections
from adapters.persistence.tables import webhook_events as events
from adapters.persistence.upsert import dialect_insert
from adapters.webhooks.verified_event import VerifiedEvent
from application.ports.event_inbox import InboxEvent
from application.ports.event_intake import EventIntake


class _Row(msgspec.Struct):
    """One ``webhook_events`` row as an element of the JSON array sent to PostgreSQL."""

    id: str
    type: str
    created: datetime
    livemode: bool
    payload: Any  # the verified body as sent (msgspec.Raw), or a mapping to encode
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    note: str | None
    received_at: datetime
    processed_at: datetime | None


# PostgreSQL: the whole batch as one JSON array of rows, one parameter, so the statement's
# text (and asyncpg's prepared statement) is the same for any batch size, and the 3 KB
# payloads go in as they came (msgspec writes each verified body into the array as is; a
# column per array made asyncpg check and encode every element, ~2x the CPU). Sent outside
# a transaction block, the statement is its own transaction: one round trip, committed
# when it answers.
_TYPES = {
    "id": "varchar", "type": "varchar", "created": "timestamptz", "livemode": "boolean",
    "payload": "jsonb", "status": "varchar", "attempts": "integer",
    "next_attempt_at": "timestamptz", "last_error": "text", "note": "text",
    "received_at": "timestamptz", "processed_at": "timestamptz",
}  # fmt: skip
_COLUMNS = [(name, _TYPES[name]) for name in _Row.__struct_fields__]
_NAMES = ", ".join(name for name, _ in _COLUMNS)
_PG_INSERT = (
    f"INSERT INTO {events.name} ({_NAMES}) "  # noqa: S608 (our own names)
    f"SELECT {', '.join(f'r.{name}' for name, _ in _COLUMNS)} "
    f"FROM jsonb_to_recordset($1::text::jsonb) "
    f"AS r({', '.join(f'{name} {kind}' for name, kind in _COLUMNS)}) "
    "ON CONFLICT (id) DO NOTHING RETURNING id"
)
_encode = msgspec.json.Encoder().encode


def _pg_row(event: InboxEvent) -> _Row:
    """``event``'s row; its times must say their zone (as ``UtcDateTime`` demands)."""
    for moment in (event.created, event.received_at, event.next_attempt_at, event.processed_at):
        if moment is not None and moment.utcoffset() is None:
            raise ValueError(f"naive datetime {moment!r}; pass a timezone-aware one")
    payload = event.payload
    stored: Any = msgspec.Raw(payload.json) if isinstance(payload, VerifiedEvent) else dict(payload)
    if _NUL_ESCAPE in (payload.json if isinstance(payload, VerifiedEvent) else _encode(stored)):
        # jsonb cannot hold U+0000: stored as U+FFFD, or the statement would fail, and with
        # it every other delivery of the batch (and this one at each of Stripe's retries).
        raw = payload.json if isinstance(payload, VerifiedEvent) else _encode(stored)
        stored = _without_nul(msgspec.json.decode(raw))
    return _Row(
        event.id, event.type, event.created, event.livemode, stored,
        event.status.value, event.attempts, event.next_attempt_at, event.last_error,
        event.note, event.received_at, event.processed_at,
    )  # fmt: skip


_NUL_ESCAPE = b"\\u0000"  # JSON's U+0000 (an escaped backslash before "u0000" also matches: a decode for nothing)


def _without_nul(value: Any) -> Any:
    """``value`` (decoded JSON) with U+0000 in its strings and keys made U+FFFD."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    return value


class GroupCommitEventIntake(EventIntake):
    """``admit`` queues the event; a writer task takes everything queued so far, writes it
    with one ``INSERT ... ON CONFLICT (id) DO NOTHING RETURNING id`` in one transaction on
    its own connection, commits, and only then answers each waiting caller. Deliveries
    that arrive while the writers are busy go together in the next batch, so under load
    many requests share a commit (and its WAL flush) without any added wait; alone, a
    request is committed at once. Up to ``max_writers`` batches are in flight at once, so
    one stuck on a dying connection (a database restart) does not hold back the others
    (``group_commit.GroupCommit``; on PostgreSQL up to one connection per writer is kept
    between batches, ``group_commit.KeptConnections``).

    A failed batch fails every caller in it with ``PersistenceUnavailable`` (the
    transaction rolled back: none of them was stored), as does one that has not committed
    within ``batch_timeout`` seconds (then it may have: a retry is a harmless duplicate).
    The same id twice in one batch is stored once; the second caller hears "duplicate".
    One instance per process and event loop (the app's container builds it at app scope).

    Redeliveries: the ids of the last ``remembered`` events this process saw committed (by
    its own batches, stored or found already there) are kept in memory, and such an id is
    answered "duplicate" at once, without a batch or a round trip; it is in the table for
    good (a committed row), so the answer is the one the database would give.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        max_batch: int = 500,
        max_writers: int = 4,
        batch_timeout: float = 5.0,
        remembered: int = 20_000,
    ) -> None:
        self._engine = engine
        # Built once: executed with a list of rows (SQLAlchemy's "insertmanyvalues").
        self._statement = (
            dialect_insert(engine.dialect.name, events)
            .on_conflict_do_nothing(index_elements=[events.c.id])
            .returning(events.c.id)
        )
        self._postgres = engine.dialect.name == "postgresql"
        self._kept = KeptConnections(engine, keep=max_writers)
        self._group: GroupCommit[tuple[str, Any], bool] = GroupCommit(
            self._write,
            lambda count: f"storing {count} webhook event(s)",
            max_batch=max_batch,
            max_writers=max_writers,
            batch_timeout=batch_timeout,
        )
        # Insertion-ordered, the oldest evicted first: an OrderedDict, whose popitem(last=False)
        # is O(1); a dict's next(iter(...)) scans the slots its earlier deletions left at
        # the front (15 us an eviction at 20,000 ids, 5% of a delivery's CPU).
        self._committed: OrderedDict[str, None] = OrderedDict()
        self._remembered = remembered

    async def admit(self, event: InboxEvent) -> bool:
        if event.id in self._committed:
            return False
        row = _pg_row(event) if self._postgres else inbox_row(event)
        return await self._group.submit((event.id, row))

    async def _write(self, batch: list[tuple[str, Any]]) -> list[bool]:
        """The batch in one transaction; for each delivery, whether it was new."""
        # The first delivery of an id in the batch is the one written.
        rows = list({event_id: row for event_id, row in reversed(batch)}.values())
        stored = await self._insert(rows)
        answers: list[bool] = []
        for event_id, _ in batch:
            answers.append(event_id in stored)
            stored.discard(event_id)  # a second delivery in the same batch is a duplicate
            self._remember(event_id)
        return answers

    def _remember(self, event_id: str) -> None:
        """``event_id`` is committed in the table; the oldest remembered id goes past the cap."""
        self._committed[event_id] = None
        if len(self._committed) > self._remembered:
            self._committed.popitem(last=False)

    async def _insert(self, rows: list[Any]) -> set[str]:
        """``rows`` (one per id: ``_Row`` on PostgreSQL, ``inbox_row`` dicts elsewhere)
        written in one transaction; the ids that were new."""
        with translate_database_errors(f"storing {len(rows)} webhook event(s)"):
            if self._postgres:
                return await self._kept.run(partial(_insert_on_postgres, rows))
            async with self._engine.begin() as connection:
                result = await connection.execute(self._statement, rows)
                return {row[0] for row in result}

    async def close(self) -> None:
        """The kept connections go back to the pool (the app's shutdown, before the
        engine is disposed); a batch still running returns its own."""
        await self._kept.close()


async def _insert_on_postgres(rows: list[_Row], driver: asyncpg.Connection) -> set[str]:
    """``_PG_INSERT`` on the pooled connection's asyncpg connection, past SQLAlchemy's
    statement building and its BEGIN and COMMIT round trips (three become one)."""
    batch = _encode(rows).decode()
    return {record[0] for record in await driver.fetch(_PG_INSERT, batch)}
