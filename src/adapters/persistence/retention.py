"""Deleting rows that are done with, in short batches (``billing-portal prune``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.persistence.errors import translate_database_errors
from adapters.persistence.tables import (
    billing_audit_log,
    email_outbox,
    portal_access_audit,
    rate_limit_buckets,
    webhook_events,
)
from application.ports.data_retention import DataRetention, RetainedData


@dataclass(frozen=True)
class _Expiry:
    """Which rows of ``table`` are done with before a moment, and their key."""

    table: Table
    key: Sequence[Any]
    age: Any  # the column compared with the cut-off (indexed where it matters)
    done: ColumnElement[bool] | None = None
    cutoff: Callable[[datetime], object] = lambda before: before  # in the age column's unit


def _microseconds(moment: datetime) -> int:
    return round(moment.timestamp() * 1_000_000)


_RULES: dict[RetainedData, tuple[_Expiry, ...]] = {
    # (status, created) is indexed; "created" is Stripe's time, at most days before receipt
    RetainedData.INBOX: (
        _Expiry(
            webhook_events,
            [webhook_events.c.id],
            webhook_events.c.created,
            webhook_events.c.status.in_(["processed", "ignored"]),
        ),
    ),
    RetainedData.OUTBOX: (
        _Expiry(
            email_outbox,
            [email_outbox.c.key],
            email_outbox.c.created_at,
            email_outbox.c.status == "sent",
        ),
    ),
    RetainedData.RATE_LIMITS: (
        # a bucket full again (refilled) before the cut-off is the same as no row
        _Expiry(
            rate_limit_buckets,
            [rate_limit_buckets.c.key],
            rate_limit_buckets.c.refilled_at_us,
            cutoff=_microseconds,
        ),
    ),
    RetainedData.AUDIT: (
        _Expiry(portal_access_audit, [portal_access_audit.c.id], portal_access_audit.c.occurred_at),
        _Expiry(billing_audit_log, [billing_audit_log.c.id], billing_audit_log.c.occurred_at),
    ),
}


class SqlaDataRetention(DataRetention):
    """Each batch is ``DELETE ... WHERE key IN (SELECT key ... ORDER BY age LIMIT n)``:
    the same statement on PostgreSQL and SQLite, touching at most ``n`` rows."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def count_expired(self, data: RetainedData, *, before: datetime) -> int:
        total = 0
        with translate_database_errors(f"counting expired {data.value} rows"):
            for rule in _RULES[data]:
                query = select(func.count()).select_from(rule.table).where(*_where(rule, before))
                total += int(await self._session.scalar(query) or 0)
        return total

    async def delete_expired(self, data: RetainedData, *, before: datetime, limit: int) -> int:
        deleted = 0
        with translate_database_errors(f"deleting expired {data.value} rows"):
            for rule in _RULES[data]:
                if deleted >= limit:
                    break
                batch = (
                    select(*rule.key)
                    .where(*_where(rule, before))
                    .order_by(rule.age)
                    .limit(limit - deleted)
                )
                key = rule.key[0] if len(rule.key) == 1 else tuple_(*rule.key)
                result = await self._session.execute(delete(rule.table).where(key.in_(batch)))
                deleted += int(getattr(result, "rowcount", 0))
        return deleted


def _where(rule: _Expiry, before: datetime) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [rule.age < rule.cutoff(before)]
    if rule.done is not None:
        conditions.append(rule.done)
    return conditions
