"""Portal configurations changed outside the catalog (drift) and portal sessions created."""

from __future__ import annotations

from application.ports.billing_audit_log import BillingAuditEntry, BillingAuditLog
from application.ports.configuration_mappings import ConfigurationMappings
from application.sync.settings import SyncSettings
from domain.billing.events import PortalConfigurationChanged, PortalSessionCreated


class PortalConfigurationEventHandler:
    """Audits a warning when a configuration was changed outside the catalog (dashboard,
    API): `configs apply` always writes the catalog's name and fingerprint in metadata."""

    def __init__(
        self, audit: BillingAuditLog, mappings: ConfigurationMappings, settings: SyncSettings
    ) -> None:
        self._audit, self._mappings, self._settings = audit, mappings, settings

    async def handle(self, event: PortalConfigurationChanged) -> None:
        drift = await self._drift(event)
        if drift is None:
            return
        await self._audit.record(
            BillingAuditEntry(
                kind="portal.configuration.drift",
                event_id=event.envelope.id,
                occurred_at=event.envelope.version.at,
                subject_id=event.configuration_id,
                detail=drift,
            )
        )

    async def _drift(self, event: PortalConfigurationChanged) -> str | None:
        name = event.metadata.get(self._settings.catalog_name_key) or None
        fingerprint = event.metadata.get(self._settings.catalog_fingerprint_key) or None
        if name is None or fingerprint is None:
            return "not managed by the catalog: it carries no catalog metadata"
        mapping = await self._mappings.get(name)
        if mapping is None:
            return f"claims catalog entry {name!r}, which our mapping table does not know"
        if mapping.provider_id != event.configuration_id:
            return f"claims catalog entry {name!r}, which is mapped to {mapping.provider_id}"
        if mapping.fingerprint != fingerprint:
            return f"catalog entry {name!r} differs from what `configs apply` last applied"
        if event.edited_fields and not event.metadata_changed:
            fields = ", ".join(sorted(event.edited_fields))
            return f"catalog entry {name!r} was edited outside the catalog ({fields})"
        return None


class PortalSessionEventHandler:
    def __init__(self, audit: BillingAuditLog) -> None:
        self._audit = audit

    async def handle(self, event: PortalSessionCreated) -> None:
        await self._audit.record(
            BillingAuditEntry(
                kind="portal.session.created",
                event_id=event.envelope.id,
                occurred_at=event.envelope.version.at,
                subject_id=event.session_id,
                customer_id=event.customer_id,
                detail=f"configuration {event.configuration_id}",
            )
        )
