from __future__ import annotations

from application.ports.customer_link_audit import CustomerLinkAudit, CustomerLinkChange

from .transaction_manager import Transactional


class FakeCustomerLinkAudit(CustomerLinkAudit, Transactional):
    """``committed`` holds the changes a commit kept; a rollback drops the pending ones."""

    def __init__(self) -> None:
        self.committed: list[CustomerLinkChange] = []
        self._pending: list[CustomerLinkChange] = []

    async def record(self, change: CustomerLinkChange) -> None:
        self._pending.append(change)

    def _commit(self) -> None:
        self.committed.extend(self._pending)
        self._pending.clear()

    def _rollback(self) -> None:
        self._pending.clear()
