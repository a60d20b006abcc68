"""Webhook events into ``webhook_events`` with group commit: one transaction per burst."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.persistence.errors import translate_database_errors
from adapters.persistence.event_inbox import inbox_row
from adapters.persistence.tables import webhook_events as events
from adapters.persistence.upsert import dialect_insert
from application.errors import PersistenceUnavailable
from application.ports.event_inbox import InboxEvent
from application.ports.event_intake import EventIntake

_Waiting = tuple[dict[str, Any], "asyncio.Future[bool]"]

# PostgreSQL: the whole batch as one statement with one array per column, so its text (and
# asyncpg's prepared statement) is the same for any batch size. Sent outside a transaction
# block, the statement is its own transaction: one round trip, committed when it answers.
_COLUMNS = (
    ("id", "varchar"), ("type", "varchar"), ("created", "timestamptz"), ("livemode", "boolean"),
    ("payload", "text"), ("status", "varchar"), ("attempts", "integer"),
    ("next_attempt_at", "timestamptz"), ("last_error", "text"), ("note", "text"),
    ("received_at", "timestamptz"), ("processed_at", "timestamptz"),
)  # fmt: skip
_PAYLOAD = [name for name, _ in _COLUMNS].index("payload")  # sent as JSON text
_NAMES = ", ".join(name for name, _ in _COLUMNS)
_SELECTED = ", ".join(
    f"u.{name}::jsonb" if name == "payload" else f"u.{name}" for name, _ in _COLUMNS
)
_ARRAYS = ", ".join(f"${n}::{kind}[]" for n, (_, kind) in enumerate(_COLUMNS, 1))
_PG_INSERT = (
    f"INSERT INTO {events.name} ({_NAMES}) SELECT {_SELECTED} "  # noqa: S608 (our own names)
    f"FROM unnest({_ARRAYS}) AS u({_NAMES}) ON CONFLICT (id) DO NOTHING RETURNING id"
)


class GroupCommitEventIntake(EventIntake):
    """``admit`` queues the event; a writer task takes everything queued so far, writes it
    with one ``INSERT ... ON CONFLICT (id) DO NOTHING RETURNING id`` in one transaction on
    its own connection, commits, and only then answers each waiting caller. Deliveries
    that arrive while the writers are busy go together in the next batch, so under load
    many requests share a commit (and its WAL flush) without any added wait; alone, a
    request is committed at once. Up to ``max_writers`` batches are in flight at once, so
    one stuck on a dying connection (a database restart) does not hold back the others.

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
        self._max_batch, self._max_writers = max_batch, max_writers
        self._batch_timeout = batch_timeout
        # Built once: executed with a list of rows (SQLAlchemy's "insertmanyvalues").
        self._statement = (
            dialect_insert(engine.dialect.name, events)
            .on_conflict_do_nothing(index_elements=[events.c.id])
            .returning(events.c.id)
        )
        self._queue: list[_Waiting] = []
        self._writers: set[asyncio.Task[None]] = set()
        self._committed: dict[str, None] = {}  # insertion-ordered: the oldest go first
        self._remembered = remembered

    async def admit(self, event: InboxEvent) -> bool:
        if event.id in self._committed:
            return False
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append((inbox_row(event), answer))
        # (a writer that has just finished may still be in the set until its callback runs)
        if sum(not writer.done() for writer in self._writers) < self._max_writers:
            writer = asyncio.create_task(self._write_queued())
            self._writers.add(writer)
            writer.add_done_callback(self._writers.discard)
        # shield: a caller that goes away (client disconnect) must not cancel the batch.
        return await asyncio.shield(answer)

    async def _write_queued(self) -> None:
        while self._queue:
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
            try:
                stored = await self._insert_within_timeout([row for row, _ in batch])
            except PersistenceUnavailable as error:
                for _, answer in batch:
                    if not answer.done():
                        answer.set_exception(PersistenceUnavailable(error.message))
                continue
            except BaseException as error:  # a bug or cancellation: nobody may wait forever
                for _, answer in batch:
                    if not answer.done():
                        answer.set_exception(PersistenceUnavailable(f"event not stored: {error!r}"))
                raise
            for row, answer in batch:
                new = row["id"] in stored
                stored.discard(row["id"])  # a second delivery in the same batch is a duplicate
                self._remember(row["id"])
                if not answer.done():
                    answer.set_result(new)

    def _remember(self, event_id: str) -> None:
        """``event_id`` is committed in the table; the oldest remembered id goes past the cap."""
        self._committed[event_id] = None
        if len(self._committed) > self._remembered:
            del self._committed[next(iter(self._committed))]

    async def _insert_within_timeout(self, rows: list[dict[str, Any]]) -> set[str]:
        """A batch stuck on a connection the server dropped without a word (a restart) is
        given up after ``batch_timeout``: its callers hear 503 and Stripe retries; if it did
        commit after all, the retry is a duplicate. Not awaited further: its cleanup may hang
        on the same dead connection."""
        insert = asyncio.ensure_future(self._insert(rows))
        done, _ = await asyncio.wait({insert}, timeout=self._batch_timeout)
        if not done:
            insert.cancel()
            insert.add_done_callback(lambda task: task.cancelled() or task.exception())
            raise PersistenceUnavailable(
                f"storing {len(rows)} webhook event(s) took over {self._batch_timeout:g} s"
            )
        return insert.result()

    async def _insert(self, rows: list[dict[str, Any]]) -> set[str]:
        unique = list({row["id"]: row for row in reversed(rows)}.values())
        with translate_database_errors(f"storing {len(unique)} webhook event(s)"):
            if self._engine.dialect.name == "postgresql":
                async with self._engine.connect() as connection:
                    return await _insert_on_postgres(connection, unique)
            async with self._engine.begin() as connection:
                result = await connection.execute(self._statement, unique)
                return {row[0] for row in result}


async def _insert_on_postgres(connection: AsyncConnection, rows: list[dict[str, Any]]) -> set[str]:
    """``_PG_INSERT`` on the pooled connection's asyncpg connection, past SQLAlchemy's
    statement building and its BEGIN and COMMIT round trips (three become one)."""
    raw = await connection.get_raw_connection()
    driver: asyncpg.Connection = raw.driver_connection
    columns: list[list[Any]] = [[] for _ in _COLUMNS]
    for row in rows:
        for values, (name, _) in zip(columns, _COLUMNS, strict=True):
            values.append(row[name])
    columns[_PAYLOAD] = [msgspec.json.encode(payload).decode() for payload in columns[_PAYLOAD]]
    try:
        return {record[0] for record in await driver.fetch(_PG_INSERT, *columns)}
    except asyncpg.PostgresError:
        if driver.is_closed():  # the server's last word (a shutdown) before it hung up
            await connection.invalidate()
        raise  # otherwise the server refused the statement; the connection is fine
    except BaseException:
        # Broken, or left mid-statement (a timeout, a cancellation): never handed out again.
        await connection.invalidate()
        raise
