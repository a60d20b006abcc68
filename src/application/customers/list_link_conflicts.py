"""Use case: the automatic links that were refused (``customers conflicts``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from application.ports.customer_link_audit import CustomerLinkChange
from application.ports.customer_link_history import CustomerLinkHistory


@dataclass(frozen=True, slots=True)
class LinkConflictReport:
    refusals: tuple[CustomerLinkChange, ...]  # newest first
    totals: tuple[tuple[str, int], ...]  # reason -> refusals, over ``refusals``


class ListLinkConflicts:
    """Refused automatic links since a moment (and of one user), newest first, with totals
    per reason; ``limit`` caps the refusals read. Read-only: an operator resolves one with
    ``customers link`` or ``customers unlink`` (or by fixing the Stripe metadata)."""

    def __init__(self, history: CustomerLinkHistory) -> None:
        self._history = history

    async def execute(
        self, *, since: datetime | None = None, user_id: str | None = None, limit: int = 1000
    ) -> LinkConflictReport:
        refusals = await self._history.list_changes(
            action="refused", since=since, user_id=user_id, limit=limit
        )
        totals = Counter(r.reason or "-" for r in refusals)
        return LinkConflictReport(tuple(refusals), tuple(sorted(totals.items())))
