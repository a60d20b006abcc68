"""The email outbox in ``email_outbox``: one row per message key, sent by the workers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.persistence.driver_reads import driver_errors, session_driver
from adapters.persistence.errors import describe, translate_database_errors
from adapters.persistence.leases import claim_due_rows, release_leases, renew_leases
from adapters.persistence.tables import email_outbox as outbox
from adapters.persistence.upsert import dialect_insert
from application.errors import PersistenceUnavailable
from application.ports.outbox import Outbox, OutboxMessage, OutboxStatus

SENDING = "sending"  # claimed by a worker whose lease has not run out
_RELEASED = {"locked_by": None, "locked_until": None}
# mark_sent_committed on PostgreSQL: one autocommitted statement (no BEGIN, no COMMIT).
_MARK_SENT = (
    "UPDATE email_outbox SET status = $1, sent_at = $2, locked_by = NULL, locked_until = NULL"
    " WHERE key = $3"
)


class SqlaOutbox(Outbox):
    """``Outbox`` on the unit of work's session; nothing here commits but
    ``mark_sent_committed``.

    ``enqueue`` ignores a key already present (whatever its status), so a replayed event
    never sends twice. ``claim_due`` leases messages like the inbox does (``FOR UPDATE SKIP
    LOCKED`` on PostgreSQL); a lease that ran out is claimed again. Database failures raise
    ``PersistenceUnavailable``.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def enqueue(self, message: OutboxMessage) -> bool:
        statement = _enqueue_statement(self._session.get_bind().dialect.name)
        with translate_database_errors(f"queueing email {message.key!r}"):
            return (await self._session.execute(statement, _row(message))).first() is not None

    async def claim_due(
        self, *, worker_id: str, now: datetime, limit: int, lease_seconds: int
    ) -> list[OutboxMessage]:
        statement = claim_due_rows(
            outbox,
            key=outbox.c.key,
            order_by=(outbox.c.created_at, outbox.c.key),
            waiting=OutboxStatus.PENDING,
            claimed=SENDING,
            worker_id=worker_id,
            now=now,
            limit=limit,
            lease_seconds=lease_seconds,
        )
        with translate_database_errors(f"claiming due emails for {worker_id!r}"):
            rows = (await self._session.execute(statement)).all()
        return sorted((_message(row) for row in rows), key=lambda m: (m.created_at, m.key))

    async def renew_leases(self, *, worker_id: str, now: datetime, lease_seconds: int) -> int:
        statement = renew_leases(
            outbox, claimed=SENDING, worker_id=worker_id, now=now, lease_seconds=lease_seconds
        )
        with translate_database_errors(f"renewing the leases of {worker_id!r}"):
            result = await self._session.execute(statement)
        return int(getattr(result, "rowcount", 0))

    async def release_claims(self, *, worker_id: str) -> int:
        statement = release_leases(
            outbox, claimed=SENDING, waiting=OutboxStatus.PENDING, worker_id=worker_id
        )
        with translate_database_errors(f"releasing the claims of {worker_id!r}"):
            result = await self._session.execute(statement)
        return int(getattr(result, "rowcount", 0))

    async def mark_sent(self, key: str, *, now: datetime) -> None:
        await self._set(key, status=OutboxStatus.SENT, sent_at=now)

    async def mark_sent_committed(self, key: str, *, now: datetime) -> None:
        """On asyncpg with no transaction open, the ``UPDATE`` runs on the connection
        itself, autocommitted: one round trip, as durable as a commit (instead of
        ``BEGIN``, ``UPDATE``, ``COMMIT``: three). Otherwise ``mark_sent`` and a commit."""
        if not self._session.in_transaction():
            driver = await session_driver(self._session, f"marking email {key!r} sent")
            if driver is not None and not driver.is_in_transaction():
                with driver_errors(f"marking email {key!r} sent"):
                    await driver.execute(_MARK_SENT, OutboxStatus.SENT.value, now, key)
                await self._end_session_transaction()
                return
        await self.mark_sent(key, now=now)
        await self._end_session_transaction()

    async def _end_session_transaction(self) -> None:
        try:
            await self._session.commit()
        except (SQLAlchemyError, OSError, TimeoutError) as error:
            raise PersistenceUnavailable(
                f"database failure while committing: {describe(error)}"
            ) from error

    async def mark_failed(
        self, key: str, *, now: datetime, error: str, retry_at: datetime | None
    ) -> None:
        await self._set(
            key,
            status=OutboxStatus.PENDING if retry_at else OutboxStatus.FAILED,
            attempts=outbox.c.attempts + 1,
            next_attempt_at=retry_at,
            last_error=error,
        )

    async def list_messages(
        self, *, status: OutboxStatus | None = None, limit: int = 100
    ) -> list[OutboxMessage]:
        query = select(outbox).order_by(outbox.c.created_at.desc(), outbox.c.key).limit(limit)
        if status is OutboxStatus.PENDING:
            query = query.where(outbox.c.status.in_([OutboxStatus.PENDING, SENDING]))
        elif status is not None:
            query = query.where(outbox.c.status == status)
        with translate_database_errors("listing emails"):
            return [_message(row) for row in await self._session.execute(query)]

    async def requeue(self, key: str, *, now: datetime) -> bool:
        return await self._set(key, **_requeued(now)) > 0

    async def requeue_failed(self, *, now: datetime) -> int:
        statement = (
            update(outbox).where(outbox.c.status == OutboxStatus.FAILED).values(**_requeued(now))
        )
        with translate_database_errors("requeueing failed emails"):
            result = await self._session.execute(statement)
        return int(getattr(result, "rowcount", 0))

    async def _set(self, key: str, **values: Any) -> int:
        statement = update(outbox).where(outbox.c.key == key).values(**values, **_RELEASED)
        with translate_database_errors(f"marking email {key!r}"):
            result = await self._session.execute(statement)
        return int(getattr(result, "rowcount", 0))


_ENQUEUE: dict[str, Any] = {}  # dialect -> the insert-if-new, built once (bound by name)


def _enqueue_statement(dialect: str) -> Any:
    statement = _ENQUEUE.get(dialect)
    if statement is None:
        statement = _ENQUEUE[dialect] = (
            dialect_insert(dialect, outbox)
            .on_conflict_do_nothing(index_elements=[outbox.c.key])
            .returning(outbox.c.key)
        )
    return statement


def _requeued(now: datetime) -> dict[str, Any]:
    return {"status": OutboxStatus.PENDING, "attempts": 0, "next_attempt_at": now, "sent_at": None}


def _row(message: OutboxMessage) -> dict[str, Any]:
    return {
        "key": message.key,
        "template": message.template,
        "recipient": message.to,
        "context": dict(message.context),
        "status": message.status.value,
        "attempts": message.attempts,
        "next_attempt_at": message.next_attempt_at,
        "last_error": message.last_error,
        "created_at": message.created_at,
        "sent_at": message.sent_at,
    }


def _message(row: Row[Any]) -> OutboxMessage:
    return OutboxMessage(
        key=row.key,
        template=row.template,
        to=row.recipient,
        created_at=row.created_at,
        context=row.context,
        status=OutboxStatus.PENDING if row.status == SENDING else OutboxStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        sent_at=row.sent_at,
        last_error=row.last_error,
    )
