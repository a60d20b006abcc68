from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class BillingAuditEntry:
    """Something operators should see: ``kind`` is ``portal.session.created`` or
    ``portal.configuration.drift``; ``subject_id`` the provider object it is about."""

    kind: str
    event_id: str
    occurred_at: datetime
    subject_id: str
    customer_id: str | None = None
    detail: str = ""


class BillingAuditLog(Protocol):
    """Keeps (and logs, as a warning for drift) what the sync saw; the caller commits."""

    async def record(self, entry: BillingAuditEntry) -> None: ...
