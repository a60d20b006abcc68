"""The portal access audit: one row and one log line per attempt."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import datetime

import structlog
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.persistence.errors import translate_database_errors
from adapters.persistence.tables import portal_access_audit
from application.ports.access_audit import PortalAccessAudit, PortalAccessRecord
from application.ports.portal_access_history import PortalAccessHistory

MAX_USER_AGENT = 512
_INSERT = insert(portal_access_audit)  # built once; executed with each attempt's values


class SqlaPortalAccessAudit(PortalAccessAudit):
    """Inserts the attempt into ``portal_access_audit`` and logs ``portal.access.decided``.

    The row is part of the caller's unit of work (not committed here); the log line is
    written at once, so an attempt whose transaction later fails is still in the logs. The
    record holds no secrets. Text longer than its column (user agents: ``MAX_USER_AGENT``)
    is cut short rather than failing the attempt: an audit must never refuse a request.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, entry: PortalAccessRecord) -> None:
        values = {name: _fit(name, value) for name, value in asdict(entry).items()}
        # A fresh proxy per call: a logger cached at import would miss later configuration.
        structlog.get_logger("billing_portal.audit").info(
            "portal.access.decided",
            **{**values, "occurred_at": entry.occurred_at.isoformat()},
        )
        with translate_database_errors(f"auditing a portal access by {entry.user_id!r}"):
            await self._session.execute(_INSERT, values)


def _fit(name: str, value: object) -> object:
    if not isinstance(value, str):
        return value
    length = getattr(portal_access_audit.c[name].type, "length", None) or MAX_USER_AGENT
    return value[:length]


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
