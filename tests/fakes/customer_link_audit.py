from __future__ import annotations

from datetime import datetime

from application.ports.customer_link_audit import CustomerLinkAudit, CustomerLinkChange, LinkAction
from application.ports.customer_link_history import CustomerLinkHistory

from .transaction_manager import Transactional


class FakeCustomerLinkAudit(CustomerLinkAudit, CustomerLinkHistory, Transactional):
    """``committed`` holds the changes a commit kept; a rollback drops the pending ones.
    Reading back (``CustomerLinkHistory``) sees the committed changes."""

    def __init__(self) -> None:
        self.committed: list[CustomerLinkChange] = []
        self._pending: list[CustomerLinkChange] = []

    async def record(self, change: CustomerLinkChange) -> None:
        self._pending.append(change)

    async def list_changes(
        self,
        *,
        action: LinkAction | None = None,
        since: datetime | None = None,
        user_id: str | None = None,
        limit: int = 100,
    ) -> list[CustomerLinkChange]:
        found = [
            c
            for c in reversed(self.committed)
            if action in (None, c.action)
            and (since is None or c.occurred_at >= since)
            and user_id in (None, c.user_id)
        ]
        return found[:limit]

    def _commit(self) -> None:
        self.committed.extend(self._pending)
        self._pending.clear()

    def _rollback(self) -> None:
        self._pending.clear()
