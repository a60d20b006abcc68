"""The customer link audit: one row and one log line per change to a link, and reading
them back."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import datetime

import structlog
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.persistence.errors import translate_database_errors
from adapters.persistence.tables import customer_link_audit
from application.ports.customer_link_audit import (
    CustomerLinkAudit,
    CustomerLinkChange,
    LinkAction,
)
from application.ports.customer_link_history import CustomerLinkHistory


class SqlaCustomerLinkAudit(CustomerLinkAudit):
    """Inserts the change into ``customer_link_audit`` in the caller's unit of work (not
    committed here) and logs ``customer.link.<action>`` at once."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, change: CustomerLinkChange) -> None:
        values = asdict(change)
        structlog.get_logger("billing_portal.audit").info(
            f"customer.link.{change.action}",
            **{**values, "occurred_at": change.occurred_at.isoformat()},
        )
        with translate_database_errors(f"auditing a link change of {change.user_id!r}"):
            await self._session.execute(insert(customer_link_audit).values(**values))


class SqlaCustomerLinkHistory(CustomerLinkHistory):
    """Reads ``customer_link_audit`` on the request's session (indexes on ``occurred_at``,
    ``action, occurred_at`` and ``user_id, occurred_at``)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list_changes(
        self,
        *,
        action: LinkAction | None = None,
        since: datetime | None = None,
        user_id: str | None = None,
        limit: int = 100,
    ) -> list[CustomerLinkChange]:
        table = customer_link_audit
        query = select(table).order_by(table.c.occurred_at.desc(), table.c.id.desc()).limit(limit)
        if action is not None:
            query = query.where(table.c.action == action)
        if since is not None:
            query = query.where(table.c.occurred_at >= since)
        if user_id is not None:
            query = query.where(table.c.user_id == user_id)
        with translate_database_errors("reading the customer link audit"):
            rows = (await self._session.execute(query)).mappings()
            return [CustomerLinkChange(**{f: row[f] for f in _FIELDS}) for row in rows]


_FIELDS = [f.name for f in fields(CustomerLinkChange)]
