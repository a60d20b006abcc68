from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from application.ports.transaction_manager import TransactionManager


@dataclass(frozen=True, slots=True)
class PortalAccessRecord:
    """One portal access attempt: who, when, what was decided and from where."""

    user_id: str
    occurred_at: datetime
    outcome: str  # "portal", "redirect" or "refused"
    decision: str  # a DecisionReason value, or the error that refused the attempt
    stripe_customer_id: str | None = None
    configuration: str | None = None
    flow: str | None = None
    portal_session_id: str | None = None
    request_id: str | None = None
    client_address: str | None = None
    user_agent: str | None = None
    channel: str = "api"
    segment: str | None = None  # the linked customer's segment, once known


class PortalAccessAudit(Protocol):
    """Keeps (and logs) every portal access attempt; the caller commits."""

    async def record(self, entry: PortalAccessRecord) -> None: ...

    async def record_and_commit(
        self, entry: PortalAccessRecord, transaction: TransactionManager
    ) -> None:
        """Record ``entry`` and commit the unit of work with it (an adapter may do both
        in one statement when nothing else is pending)."""
        await self.record(entry)
        await transaction.commit()
