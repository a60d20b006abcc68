from __future__ import annotations

from datetime import datetime
from typing import Protocol

from application.ports.customer_link_audit import CustomerLinkChange, LinkAction


class CustomerLinkHistory(Protocol):
    """Reads the customer link audit back (operators: who linked what, what was refused)."""

    async def list_changes(
        self,
        *,
        action: LinkAction | None = None,
        since: datetime | None = None,
        user_id: str | None = None,
        limit: int = 100,
    ) -> list[CustomerLinkChange]:
        """Newest first, at or after ``since``; only ``action``'s and ``user_id``'s when
        given."""
        ...
