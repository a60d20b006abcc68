from __future__ import annotations

from application.ports.billing_audit_log import BillingAuditEntry, BillingAuditLog

from .transaction_manager import Snapshotted


class FakeBillingAuditLog(BillingAuditLog, Snapshotted):
    """``entries`` in the order they were recorded."""

    def __init__(self) -> None:
        self.entries: list[BillingAuditEntry] = []

    async def record(self, entry: BillingAuditEntry) -> None:
        self.entries.append(entry)
