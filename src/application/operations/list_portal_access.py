"""Use case: portal access attempts by decision, reason and segment (``audit``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from application.ports.access_audit import PortalAccessRecord
from application.ports.portal_access_history import PortalAccessHistory


@dataclass(frozen=True, slots=True)
class PortalAccessReport:
    entries: tuple[PortalAccessRecord, ...]  # newest first
    # (outcome, reason, segment) -> attempts, over ``entries``
    totals: tuple[tuple[tuple[str, str, str], int], ...]


class ListPortalAccess:
    """The attempts since a moment (and of one user), with totals per outcome, reason and
    segment; ``limit`` caps the entries read."""

    def __init__(self, history: PortalAccessHistory) -> None:
        self._history = history

    async def execute(
        self, *, since: datetime | None = None, user_id: str | None = None, limit: int = 1000
    ) -> PortalAccessReport:
        entries = await self._history.list_entries(since=since, user_id=user_id, limit=limit)
        totals = Counter((e.outcome, e.decision, e.segment or "-") for e in entries)
        return PortalAccessReport(tuple(entries), tuple(sorted(totals.items())))
