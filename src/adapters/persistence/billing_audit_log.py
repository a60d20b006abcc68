"""The billing audit in ``billing_audit_log``: one row and one log line per entry."""

from __future__ import annotations

from dataclasses import asdict

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.persistence.errors import translate_database_errors
from adapters.persistence.tables import billing_audit_log as audit
from adapters.persistence.upsert import dialect_insert
from application.ports.billing_audit_log import BillingAuditEntry, BillingAuditLog

DRIFT = "portal.configuration.drift"


class SqlaBillingAuditLog(BillingAuditLog):
    """Inserts the entry in the caller's unit of work (not committed here) and logs it at
    once under its ``kind`` (a warning for drift). An event replayed later records nothing
    new: ``(event_id, kind, subject_id)`` is unique. Values longer than their column are cut
    short: an audit never fails the work it records. Database failures raise
    ``PersistenceUnavailable``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, entry: BillingAuditEntry) -> None:
        values = {name: _fit(name, value) for name, value in asdict(entry).items()}
        logger = structlog.get_logger("billing_portal.audit")
        log = logger.warning if entry.kind == DRIFT else logger.info
        log(entry.kind, **{**values, "occurred_at": entry.occurred_at.isoformat()})
        statement = (
            dialect_insert(self._session.get_bind().dialect.name, audit)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["event_id", "kind", "subject_id"])
        )
        with translate_database_errors(f"auditing {entry.kind} of event {entry.event_id!r}"):
            await self._session.execute(statement)


def _fit(name: str, value: object) -> object:
    length = getattr(audit.c[name].type, "length", None)
    if isinstance(value, str) and length is not None:
        return value[:length]
    return value
