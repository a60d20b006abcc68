"""``billing_portal.configuration.*`` (drift warnings) and ``billing_portal.session.created``."""

from __future__ import annotations

from application.ports.billing_audit_log import BillingAuditEntry
from application.sync.events import ProviderEvent
from application.sync.handlers.context import SyncContext
from application.sync.json_fields import reference, section, text

# Fields `configs apply` never changes without also changing the fingerprint in metadata.
_BOOKKEEPING = frozenset({"updated", "metadata", "active", "is_default"})


class PortalConfigurationEvents:
    """Warns when a configuration was changed outside the catalog (dashboard, API)."""

    TYPES = ("billing_portal.configuration.created", "billing_portal.configuration.updated")

    def __init__(self, ctx: SyncContext) -> None:
        self._ctx = ctx

    async def handle(self, event: ProviderEvent) -> None:
        drift = await self._drift(event)
        if drift is None:
            return
        await self._ctx.audit.record(
            BillingAuditEntry(
                kind="portal.configuration.drift",
                event_id=event.id,
                occurred_at=event.version.at,
                subject_id=event.object_id or "",
                detail=drift,
            )
        )

    async def _drift(self, event: ProviderEvent) -> str | None:
        settings = self._ctx.settings
        metadata = section(event.object, "metadata")
        name = text(metadata, settings.catalog_name_key)
        fingerprint = text(metadata, settings.catalog_fingerprint_key)
        if name is None or fingerprint is None:
            return "not managed by the catalog: it carries no catalog metadata"
        mapping = await self._ctx.mappings.get(name)
        if mapping is None:
            return f"claims catalog entry {name!r}, which our mapping table does not know"
        if mapping.provider_id != event.object_id:
            return f"claims catalog entry {name!r}, which is mapped to {mapping.provider_id}"
        if mapping.fingerprint != fingerprint:
            return f"catalog entry {name!r} differs from what `configs apply` last applied"
        edited = set(event.previous) - _BOOKKEEPING
        if edited and "metadata" not in event.previous:
            fields = ", ".join(sorted(edited))
            return f"catalog entry {name!r} was edited outside the catalog ({fields})"
        return None


class PortalSessionEvents:
    TYPES = ("billing_portal.session.created",)

    def __init__(self, ctx: SyncContext) -> None:
        self._ctx = ctx

    async def handle(self, event: ProviderEvent) -> None:
        await self._ctx.audit.record(
            BillingAuditEntry(
                kind="portal.session.created",
                event_id=event.id,
                occurred_at=event.version.at,
                subject_id=event.object_id or "",
                customer_id=reference(event.object, "customer"),
                detail=f"configuration {reference(event.object, 'configuration')}",
            )
        )
