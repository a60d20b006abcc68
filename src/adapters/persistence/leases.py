"""Leasing due rows to one worker at a time (the inbox and the outbox).

A row is due when it waits (``status`` = ``waiting``) and its ``next_attempt_at`` is past or
unset, or when a worker claimed it (``status`` = ``claimed``) and the lease ran out: that
worker died or hung, so another may take it over. On PostgreSQL the candidates are locked
with ``FOR UPDATE SKIP LOCKED``, so any number of workers claim disjoint rows without
waiting for each other. SQLite has one writer at a time and ignores the lock clause: the
single statement below is atomic there, which is all a single worker needs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Column, Table, and_, or_, select, update
from sqlalchemy.sql.dml import ReturningUpdate, Update


def claim_due_rows(
    table: Table,
    *,
    key: Column[str],
    order_by: tuple[Column[object], ...],
    waiting: str,
    claimed: str,
    worker_id: str,
    now: datetime,
    limit: int,
    lease_seconds: int,
) -> ReturningUpdate[tuple[object, ...]]:
    """``UPDATE`` up to ``limit`` due rows, oldest first, to ``claimed`` by ``worker_id``
    until ``now + lease_seconds``; returns every column of the claimed rows."""
    c = table.c
    due = or_(
        and_(c.status == waiting, or_(c.next_attempt_at.is_(None), c.next_attempt_at <= now)),
        and_(c.status == claimed, c.locked_until <= now),
    )
    candidates = (
        select(key)
        .where(due)
        .order_by(*order_by)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte(f"due_{table.name}")
    )
    return (
        update(table)
        .where(key == candidates.c[key.name])
        .values(
            status=claimed,
            locked_by=worker_id,
            locked_until=now + timedelta(seconds=lease_seconds),
        )
        .returning(*c)
    )


def renew_leases(
    table: Table, *, claimed: str, worker_id: str, now: datetime, lease_seconds: int
) -> Update:
    """``UPDATE`` every row ``worker_id`` still holds (claimed and not yet marked) to be
    leased until ``now + lease_seconds``. A row another worker took over after the lease
    ran out has its ``locked_by`` and is left alone."""
    c = table.c
    return (
        update(table)
        .where(c.status == claimed, c.locked_by == worker_id)
        .values(locked_until=now + timedelta(seconds=lease_seconds))
    )


def release_leases(table: Table, *, claimed: str, waiting: str, worker_id: str) -> Update:
    """``UPDATE`` every row ``worker_id`` still holds back to ``waiting``, unleased: a
    stopping worker gives back what it will not finish, so nobody waits for its lease."""
    c = table.c
    return (
        update(table)
        .where(c.status == claimed, c.locked_by == worker_id)
        .values(status=waiting, locked_by=None, locked_until=None)
    )
