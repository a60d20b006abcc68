"""Group commit: rows of concurrent requests written together, each caller answered only
after the statement that wrote its row has committed.

Used where every request writes one row that must be durable before it is answered: the
webhook inbox (``event_intake``) and the portal's access audit (``access_audit``). Under
load, a commit (a round trip, a WAL flush, a pool checkout) is shared by every request
that arrived while the previous one was in flight, with no added wait; alone, a request
is written at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.persistence.engine import server_spoke_or_left
from application.errors import PersistenceUnavailable

T = TypeVar("T")
R = TypeVar("R")
KEPT_IDLE_SECONDS = 30.0


class GroupCommit(Generic[T, R]):
    """``submit(item)`` queues ``item`` and waits; a writer task takes everything queued so
    far (up to ``max_batch``), hands it to ``write`` (one statement, one transaction), and
    answers each caller with the result ``write`` gave for its item, in order. Up to
    ``max_writers`` batches are in flight at once, so one stuck on a dying connection (a
    database restart) does not hold back the others.

    A batch ``write`` fails with ``PersistenceUnavailable`` fails every caller in it with
    the same message (the transaction rolled back: none was written); one not written
    within ``batch_timeout`` seconds fails them with "<what> took over N s" (then it may
    have been: the callers must treat a retry as a possible duplicate). A caller that goes
    away (a client disconnect) cancels only its own wait. One instance per process and
    event loop.
    """

    def __init__(
        self,
        write: Callable[[list[T]], Awaitable[Sequence[R]]],
        describe: Callable[[int], str],
        *,
        max_batch: int,
        max_writers: int,
        batch_timeout: float,
    ) -> None:
        self._write, self._describe = write, describe
        self._max_batch, self._max_writers = max_batch, max_writers
        self._batch_timeout = batch_timeout
        self._queue: list[tuple[T, asyncio.Future[R]]] = []
        self._writers: set[asyncio.Task[None]] = set()

    async def submit(self, item: T) -> R:
        answer: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((item, answer))
        # (a writer that has just finished may still be in the set until its callback runs)
        if len(self._writers) < self._max_writers or self._busy_writers() < self._max_writers:
            writer = asyncio.create_task(self._write_queued())
            self._writers.add(writer)
            writer.add_done_callback(self._writers.discard)
        return await answer

    def _busy_writers(self) -> int:
        return sum(not writer.done() for writer in self._writers)

    async def _write_queued(self) -> None:
        while self._queue:
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
            try:
                results = await self._write_within_timeout([item for item, _ in batch])
            except PersistenceUnavailable as error:
                for _, answer in batch:
                    if not answer.done():
                        answer.set_exception(PersistenceUnavailable(error.message))
                continue
            except BaseException as error:  # a bug or cancellation: nobody may wait forever
                for _, answer in batch:
                    if not answer.done():
                        answer.set_exception(
                            PersistenceUnavailable(
                                f"{self._describe(len(batch))} failed: {error!r}"
                            )
                        )
                raise
            for (_, answer), result in zip(batch, results, strict=True):
                if not answer.done():
                    answer.set_result(result)

    async def _write_within_timeout(self, items: list[T]) -> Sequence[R]:
        """A batch stuck on a connection the server dropped without a word (a restart) is
        given up after ``batch_timeout``. Not awaited further: its cleanup may hang on the
        same dead connection."""
        write = asyncio.ensure_future(self._write(items))
        done, _ = await asyncio.wait({write}, timeout=self._batch_timeout)
        if not done:
            write.cancel()
            write.add_done_callback(lambda task: task.cancelled() or task.exception())
            raise PersistenceUnavailable(
                f"{self._describe(len(items))} took over {self._batch_timeout:g} s"
            )
        return write.result()


class KeptConnections:
    """Up to ``keep`` pooled connections held between batches: a pool checkout and check-in
    per batch, through SQLAlchemy's greenlets, cost more CPU than a batch's own statement.
    A kept connection is checked as the pool's checkout would check it (closed, or the
    server's last word waiting in its socket); one idle for over ``KEPT_IDLE_SECONDS``
    goes back to the pool (whose checkout recycles old connections), as do the others
    then: a burst is over. PostgreSQL on asyncpg only.
    """

    def __init__(self, engine: AsyncEngine, keep: int) -> None:
        self._engine, self._keep = engine, keep
        self._idle: list[tuple[AsyncConnection, asyncpg.Connection, float]] = []
        self._closed = False

    async def run(self, statement: Callable[[asyncpg.Connection], Awaitable[R]]) -> R:
        """``statement(driver)`` on a kept or newly checked-out connection, outside any
        transaction block (so each statement commits by itself). A connection left broken
        or mid-statement is never handed out again."""
        held = await self._live_idle_connection()
        if held is None:
            connection = await self._engine.connect()
            try:
                raw = await connection.get_raw_connection()
            except BaseException:
                await connection.close()
                raise
            held = (connection, raw.driver_connection)
        connection, driver = held
        try:
            result = await statement(driver)
        except asyncpg.PostgresError:
            if driver.is_closed():  # the server's last word (a shutdown) before it hung up
                await connection.invalidate()
            await connection.close()  # back to the pool (or gone, if invalidated)
            raise  # otherwise the server refused the statement; the connection is fine
        except BaseException:
            # Broken, or left mid-statement (a timeout, a cancellation).
            await connection.invalidate()
            await connection.close()
            raise
        if self._closed or len(self._idle) >= self._keep:
            await connection.close()
        else:
            self._idle.append((connection, driver, time.monotonic()))
        return result

    async def _live_idle_connection(self) -> tuple[AsyncConnection, asyncpg.Connection] | None:
        while self._idle:
            connection, driver, used = self._idle.pop()
            if time.monotonic() - used > KEPT_IDLE_SECONDS:
                await connection.close()
                continue
            if not (driver.is_closed() or server_spoke_or_left(driver)):
                return connection, driver
            await connection.invalidate()
            await connection.close()
        return None

    async def close(self) -> None:
        """The kept connections go back to the pool (the app's shutdown, before the
        engine is disposed); a batch still running returns its own."""
        self._closed = True
        while self._idle:
            connection, _, _ = self._idle.pop()
            await connection.close()
