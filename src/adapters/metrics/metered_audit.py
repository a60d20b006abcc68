"""Counting portal access attempts where every one of them is audited."""

from __future__ import annotations

from adapters.metrics.instruments import PORTAL_ACCESS
from application.ports.access_audit import PortalAccessAudit, PortalAccessRecord

NO_SEGMENT = "none"  # no linked customer (or refused before the lookup, e.g. rate limited)


class MeteredPortalAccessAudit(PortalAccessAudit):
    """Wraps the audit: counts ``billing_portal_portal_access_total`` then records.

    Counted before recording, so an attempt the database then fails to audit (an outage)
    still shows in the metrics.
    """

    def __init__(self, audit: PortalAccessAudit) -> None:
        self._audit = audit

    async def record(self, entry: PortalAccessRecord) -> None:
        PORTAL_ACCESS.labels(
            outcome=entry.outcome, reason=entry.decision, segment=entry.segment or NO_SEGMENT
        ).inc()
        await self._audit.record(entry)
