from __future__ import annotations

from application.ports.access_audit import PortalAccessAudit, PortalAccessRecord

from .transaction_manager import Transactional


class FakePortalAccessAudit(PortalAccessAudit, Transactional):
    """``committed`` holds the records a commit kept; a rollback drops the pending ones."""

    def __init__(self) -> None:
        self.committed: list[PortalAccessRecord] = []
        self._pending: list[PortalAccessRecord] = []

    async def record(self, entry: PortalAccessRecord) -> None:
        self._pending.append(entry)

    def _commit(self) -> None:
        self.committed.extend(self._pending)
        self._pending.clear()

    def _rollback(self) -> None:
        self._pending.clear()
