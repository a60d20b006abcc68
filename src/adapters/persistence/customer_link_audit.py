"""The customer link audit: one row and one log line per change to a link."""

from __future__ import annotations

from dataclasses import asdict

import structlog
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.persistence.errors import translate_database_errors
from adapters.persistence.tables import customer_link_audit
from application.ports.customer_link_audit import CustomerLinkAudit, CustomerLinkChange


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
