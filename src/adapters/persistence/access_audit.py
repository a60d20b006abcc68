"""The portal access audit: one row and one log line per attempt."""

from __future__ import annotations

from dataclasses import asdict

import structlog
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.persistence.errors import translate_database_errors
from adapters.persistence.tables import portal_access_audit
from application.ports.access_audit import PortalAccessAudit, PortalAccessRecord

MAX_USER_AGENT = 512


class SqlaPortalAccessAudit(PortalAccessAudit):
    """Inserts the attempt into ``portal_access_audit`` and logs ``portal.access.decided``.

    The row is part of the caller's unit of work (not committed here); the log line is
    written at once, so an attempt whose transaction later fails is still in the logs. The
    record holds no secrets; over-long user agents are cut to ``MAX_USER_AGENT`` characters.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, entry: PortalAccessRecord) -> None:
        values = asdict(entry)
        if entry.user_agent is not None:
            values["user_agent"] = entry.user_agent[:MAX_USER_AGENT]
        # A fresh proxy per call: a logger cached at import would miss later configuration.
        structlog.get_logger("billing_portal.audit").info(
            "portal.access.decided",
            **{**values, "occurred_at": entry.occurred_at.isoformat()},
        )
        with translate_database_errors(f"auditing a portal access by {entry.user_id!r}"):
            await self._session.execute(insert(portal_access_audit).values(**values))
