"""Webhook events into ``webhook_events`` with group commit: one transaction per burst."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence.errors import translate_database_errors
from adapters.persistence.event_inbox import inbox_row
from adapters.persistence.tables import webhook_events as events
from adapters.persistence.upsert import dialect_insert
from application.errors import PersistenceUnavailable
from application.ports.event_inbox import InboxEvent
from application.ports.event_intake import EventIntake

_Waiting = tuple[dict[str, Any], "asyncio.Future[bool]"]


class GroupCommitEventIntake(EventIntake):
    """``admit`` queues the event; one task at a time writes everything queued so far with
    one ``INSERT ... ON CONFLICT (id) DO NOTHING RETURNING id`` in one transaction on its
    own connection, commits, and only then answers each waiting caller. Deliveries that
    arrive while a commit is in flight go together in the next one, so under load many
    requests share a commit (and its WAL flush) without any added wait; alone, a request
    is committed at once.

    A failed batch fails every caller in it with ``PersistenceUnavailable`` (the
    transaction rolled back: none of them was stored). The same id twice in one batch is
    stored once; the second caller hears "duplicate". One instance per process and event
    loop (the app's container builds it at app scope).
    """

    def __init__(self, engine: AsyncEngine, *, max_batch: int = 500) -> None:
        self._engine = engine
        self._max_batch = max_batch
        # Built once: executed with a list of rows (SQLAlchemy's "insertmanyvalues").
        self._statement = (
            dialect_insert(engine.dialect.name, events)
            .on_conflict_do_nothing(index_elements=[events.c.id])
            .returning(events.c.id)
        )
        self._queue: list[_Waiting] = []
        self._writer: asyncio.Task[None] | None = None

    async def admit(self, event: InboxEvent) -> bool:
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append((inbox_row(event), answer))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_queued())
        # shield: a caller that goes away (client disconnect) must not cancel the batch.
        return await asyncio.shield(answer)

    async def _write_queued(self) -> None:
        while self._queue:
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
            try:
                stored = await self._insert([row for row, _ in batch])
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
                if not answer.done():
                    answer.set_result(new)

    async def _insert(self, rows: list[dict[str, Any]]) -> set[str]:
        unique = list({row["id"]: row for row in reversed(rows)}.values())
        with translate_database_errors(f"storing {len(unique)} webhook event(s)"):
            async with self._engine.begin() as connection:
                result = await connection.execute(self._statement, unique)
                return {row[0] for row in result}
