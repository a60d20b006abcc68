"""The webhook inbox in ``webhook_events``: each provider event stored once by its id."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, or_, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningUpdate

from adapters.persistence.errors import translate_database_errors
from adapters.persistence.leases import release_leases, renew_leases
from adapters.persistence.tables import webhook_events as events
from adapters.persistence.upsert import dialect_insert
from application.ports.event_inbox import EventInbox, EventStatus, InboxEvent

PROCESSING = "processing"  # claimed by a worker whose lease has not run out
_RELEASED = {"locked_by": None, "locked_until": None}


class SqlaEventInbox(EventInbox):
    """``EventInbox`` on the unit of work's session; nothing here commits.

    ``claim_due`` leases events (status ``processing``, ``locked_by``, ``locked_until``);
    callers see a claimed event as ``pending``: it is, for anyone but its worker, until it
    is marked. A lease that ran out is claimed again. Database failures raise
    ``PersistenceUnavailable``.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def store(self, event: InboxEvent) -> bool:
        statement = (
            dialect_insert(self._session.get_bind().dialect.name, events)
            .values(**inbox_row(event))
            .on_conflict_do_nothing(index_elements=[events.c.id])
            .returning(events.c.id)
        )
        with translate_database_errors(f"storing event {event.id!r}"):
            return (await self._session.execute(statement)).first() is not None

    async def claim_due(
        self, *, worker_id: str, now: datetime, limit: int, lease_seconds: int
    ) -> list[InboxEvent]:
        statement = _claim_due(
            worker_id=worker_id, now=now, limit=limit, lease_seconds=lease_seconds
        )
        with translate_database_errors(f"claiming due events for {worker_id!r}"):
            rows = (await self._session.execute(statement)).all()
        return sorted((_event(row) for row in rows), key=lambda e: (e.created, e.id))

    async def renew_leases(self, *, worker_id: str, now: datetime, lease_seconds: int) -> int:
        statement = renew_leases(
            events, claimed=PROCESSING, worker_id=worker_id, now=now, lease_seconds=lease_seconds
        )
        with translate_database_errors(f"renewing the leases of {worker_id!r}"):
            result = await self._session.execute(statement)
        return int(getattr(result, "rowcount", 0))

    async def release_claims(self, *, worker_id: str) -> int:
        statement = release_leases(
            events, claimed=PROCESSING, waiting=EventStatus.PENDING, worker_id=worker_id
        )
        with translate_database_errors(f"releasing the claims of {worker_id!r}"):
            result = await self._session.execute(statement)
        return int(getattr(result, "rowcount", 0))

    async def held_by(self, *, worker_id: str, event_ids: list[str]) -> set[str]:
        if not event_ids:
            return set()
        query = select(events.c.id).where(
            events.c.id.in_(event_ids),
            events.c.status == PROCESSING,
            events.c.locked_by == worker_id,
        )
        with translate_database_errors(f"reading the claims of {worker_id!r}"):
            return set((await self._session.execute(query)).scalars())

    async def mark_processed(self, event_id: str, *, now: datetime) -> None:
        await self._set(event_id, "marking", status=EventStatus.PROCESSED, processed_at=now)

    async def mark_processed_many(self, event_ids: list[str], *, now: datetime) -> None:
        await self._set_many(event_ids, status=EventStatus.PROCESSED, processed_at=now)

    async def mark_ignored_many(self, event_ids: list[str], *, now: datetime, note: str) -> None:
        await self._set_many(event_ids, status=EventStatus.IGNORED, processed_at=now, note=note)

    async def _set_many(self, event_ids: list[str], **values: Any) -> None:
        if not event_ids:
            return
        statement = (
            update(events).where(events.c.id.in_(sorted(event_ids))).values(**values, **_RELEASED)
        )
        with translate_database_errors(f"marking {len(event_ids)} events {values['status']}"):
            await self._session.execute(statement)

    async def mark_ignored(self, event_id: str, *, now: datetime, note: str) -> None:
        await self._set(
            event_id, "marking", status=EventStatus.IGNORED, processed_at=now, note=note
        )

    async def mark_failed(
        self, event_id: str, *, now: datetime, error: str, retry_at: datetime | None
    ) -> None:
        await self._set(
            event_id,
            "marking",
            status=EventStatus.PENDING if retry_at else EventStatus.FAILED,
            attempts=events.c.attempts + 1,
            next_attempt_at=retry_at,
            last_error=error,
        )

    async def get(self, event_id: str) -> InboxEvent | None:
        with translate_database_errors(f"reading event {event_id!r}"):
            row = (
                await self._session.execute(select(events).where(events.c.id == event_id))
            ).one_or_none()
        return None if row is None else _event(row)

    async def list_events(
        self, *, status: EventStatus | None = None, type: str | None = None, limit: int = 100
    ) -> list[InboxEvent]:
        query = select(events).order_by(events.c.created.desc(), events.c.id.desc()).limit(limit)
        if status is EventStatus.PENDING:
            query = query.where(events.c.status.in_([EventStatus.PENDING, PROCESSING]))
        elif status is not None:
            query = query.where(events.c.status == status)
        if type is not None:
            query = query.where(events.c.type == type)
        with translate_database_errors("listing events"):
            return [_event(row) for row in await self._session.execute(query)]

    async def requeue(self, event_id: str, *, now: datetime) -> bool:
        return await self._set(event_id, "requeueing", **_requeued(now)) > 0

    async def requeue_failed(self, *, now: datetime) -> int:
        statement = (
            update(events).where(events.c.status == EventStatus.FAILED).values(**_requeued(now))
        )
        with translate_database_errors("requeueing failed events"):
            result = await self._session.execute(statement)
        return int(getattr(result, "rowcount", 0))

    async def known_ids(self, event_ids: list[str]) -> set[str]:
        if not event_ids:
            return set()
        query = select(events.c.id).where(events.c.id.in_(event_ids))
        with translate_database_errors("looking up event ids"):
            return set((await self._session.execute(query)).scalars())

    async def _set(self, event_id: str, action: str, **values: Any) -> int:
        statement = update(events).where(events.c.id == event_id).values(**values, **_RELEASED)
        with translate_database_errors(f"{action} event {event_id!r}"):
            result = await self._session.execute(statement)
        return int(getattr(result, "rowcount", 0))


def _claim_due(
    *, worker_id: str, now: datetime, limit: int, lease_seconds: int
) -> ReturningUpdate[tuple[object, ...]]:
    """``UPDATE`` up to ``limit`` due events, oldest first, to ``processing`` by
    ``worker_id`` until ``now + lease_seconds``; returns every column of the claimed rows.

    Due: pending and not scheduled later, or claimed by a worker whose lease ran out (it
    died or hung). Each kind is read on its own, ``ORDER BY created`` within one status:
    the ``(status, created)`` index gives the pending events in that order and the read
    stops after ``limit`` (``FOR UPDATE SKIP LOCKED`` on PostgreSQL: other workers' claims
    are passed over). One read with both kinds and ``ORDER BY created, id`` had to fetch
    and sort every pending event at each claim (50 ms for 90,000 on disk, the plan the
    bench's full inbox got). Events of the same second come in index order (the claim
    is then sorted by ``(created, id)``); the ordering rule never relied on that order.
    The rows read but not claimed are unlocked when the claim commits."""
    c = events.c
    due_now = or_(c.next_attempt_at.is_(None), c.next_attempt_at <= now)
    waiting = (
        select(c.id, c.created)
        .where(c.status == EventStatus.PENDING, due_now)
        .order_by(c.created)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("waiting_events")
    )
    expired = (
        select(c.id, c.created)
        .where(c.status == PROCESSING, c.locked_until <= now)
        .order_by(c.created)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("expired_events")
    )
    both = union_all(
        select(waiting.c.id, waiting.c.created), select(expired.c.id, expired.c.created)
    ).subquery("due_events")
    chosen = select(both.c.id).order_by(both.c.created).limit(limit).cte("claimed_events")
    return (
        update(events)
        .where(c.id == chosen.c.id)
        .values(
            status=PROCESSING,
            locked_by=worker_id,
            locked_until=now + timedelta(seconds=lease_seconds),
        )
        .returning(*c)
    )


def _requeued(now: datetime) -> dict[str, Any]:
    return {"status": EventStatus.PENDING, "attempts": 0, "next_attempt_at": now}


def inbox_row(event: InboxEvent) -> dict[str, Any]:
    """The ``webhook_events`` row of ``event``."""
    return {
        "id": event.id,
        "type": event.type,
        "created": event.created,
        "livemode": event.livemode,
        "payload": dict(event.payload),
        "status": event.status.value,
        "attempts": event.attempts,
        "next_attempt_at": event.next_attempt_at,
        "last_error": event.last_error,
        "note": event.note,
        "received_at": event.received_at,
        "processed_at": event.processed_at,
    }


def _event(row: Row[Any]) -> InboxEvent:
    return InboxEvent(
        id=row.id,
        type=row.type,
        created=row.created,
        livemode=row.livemode,
        payload=row.payload,
        received_at=row.received_at,
        status=EventStatus.PENDING if row.status == PROCESSING else EventStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        processed_at=row.processed_at,
        note=row.note,
    )
