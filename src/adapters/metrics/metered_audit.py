"""Counting portal access attempts and link changes where every one of them is audited."""

from __future__ import annotations

from adapters.metrics.instruments import CUSTOMER_LINK_CHANGES, PORTAL_ACCESS
from application.ports.access_audit import PortalAccessAudit, PortalAccessRecord
from application.ports.customer_link_audit import CustomerLinkAudit, CustomerLinkChange
from application.ports.transaction_manager import TransactionManager

NO_SEGMENT = "none"  # no linked customer (or refused before the lookup, e.g. rate limited)


class MeteredPortalAccessAudit(PortalAccessAudit):
    """Wraps the audit: counts ``billing_portal_portal_access_total`` then records.

    Counted before recording, so an attempt the database then fails to audit (an outage)
    still shows in the metrics.
    """

    def __init__(self, audit: PortalAccessAudit) -> None:
        self._audit = audit

    async def record(self, entry: PortalAccessRecord) -> None:
        self._count(entry)
        await self._audit.record(entry)

    async def record_and_commit(
        self, entry: PortalAccessRecord, transaction: TransactionManager
    ) -> None:
        self._count(entry)
        await self._audit.record_and_commit(entry, transaction)

    @staticmethod
    def _count(entry: PortalAccessRecord) -> None:
        PORTAL_ACCESS.labels(
            outcome=entry.outcome, reason=entry.decision, segment=entry.segment or NO_SEGMENT
        ).inc()


class MeteredCustomerLinkAudit(CustomerLinkAudit):
    """Wraps the link audit: counts ``billing_portal_customer_link_changes_total`` then
    records (refused automatic links included: alert on ``action="refused"``)."""

    def __init__(self, audit: CustomerLinkAudit) -> None:
        self._audit = audit

    async def record(self, change: CustomerLinkChange) -> None:
        # One series per API key would grow with every key ever made: count them as one.
        actor = "api_key" if change.actor.startswith("api_key:") else change.actor
        CUSTOMER_LINK_CHANGES.labels(
            action=change.action, actor=actor, reason=change.reason or "none"
        ).inc()
        await self._audit.record(change)
