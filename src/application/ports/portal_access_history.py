from __future__ import annotations

from datetime import datetime
from typing import Protocol

from application.ports.access_audit import PortalAccessRecord


class PortalAccessHistory(Protocol):
    """Reads the portal access audit back (support and product analytics)."""

    async def list_entries(
        self, *, since: datetime | None = None, user_id: str | None = None, limit: int = 100
    ) -> list[PortalAccessRecord]:
        """Newest first, at or after ``since``, only ``user_id``'s when given."""
        ...
