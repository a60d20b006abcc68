"""Use case: make the provider's portal configurations what the catalog declares."""

from __future__ import annotations

from dataclasses import dataclass

from application.configs.plan_configurations import PlanConfigurations
from application.ports.clock import Clock
from application.ports.configuration_mappings import ConfigurationMapping, ConfigurationMappings
from application.ports.portal_configuration_provider import PortalConfigurationProvider
from application.ports.transaction_manager import TransactionManager
from domain.catalog import Catalog, FieldChange, PlanAction, PlannedChange


@dataclass(frozen=True, slots=True)
class AppliedConfiguration:
    """What happened to one configuration; ``provider_id`` is set after a create too."""

    name: str
    action: PlanAction
    provider_id: str
    fingerprint: str
    changes: tuple[FieldChange, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class ApplyResult:
    """Every step taken, the number of provider write calls and of mapping rows saved."""

    entries: tuple[AppliedConfiguration, ...]
    provider_writes: int
    mappings_saved: int


class ApplyConfigurations:
    """Plan (see ``PlanConfigurations``), then carry the plan out and record it.

    Never creates a duplicate: a configuration is recognised by the catalog name in its
    metadata first, then by our mapping table, so a run interrupted between the provider's
    create and our commit is recognised on the next run. Makes no provider write when
    nothing changed. Writes carry idempotency keys derived from the name, the fingerprint
    and the provider's current state. The mapping table is saved and committed once at the
    end; on any error it is rolled back and the error re-raised.
    """

    def __init__(
        self,
        catalog: Catalog,
        provider: PortalConfigurationProvider,
        mappings: ConfigurationMappings,
        transaction: TransactionManager,
        clock: Clock,
    ) -> None:
        self._catalog = catalog
        self._provider = provider
        self._mappings = mappings
        self._transaction = transaction
        self._clock = clock

    async def execute(self) -> ApplyResult:
        plan = await PlanConfigurations(self._catalog, self._provider, self._mappings).execute()
        recorded = {mapping.name: mapping for mapping in await self._mappings.list()}
        entries: list[AppliedConfiguration] = []
        saved = 0
        try:
            for step in plan.entries:
                provider_id = await self._carry_out(step)
                entries.append(
                    AppliedConfiguration(
                        step.name,
                        step.action,
                        provider_id,
                        step.fingerprint,
                        step.changes,
                        step.note,
                    )
                )
                mapping = self._mapping_after(step, provider_id, recorded.get(step.name))
                if mapping is not None:
                    await self._mappings.save(mapping)
                    recorded[step.name] = mapping
                    saved += 1
            saved += await self._retire_stale_mappings(recorded)
            await self._transaction.commit()
        except BaseException:
            await self._transaction.rollback()
            raise
        return ApplyResult(tuple(entries), plan.write_count, saved)

    async def _carry_out(self, step: PlannedChange) -> str:
        key = step.idempotency_key
        if step.action is PlanAction.CREATE:
            created = await self._provider.create_configuration(step.params, idempotency_key=key)
            return created.id
        assert step.provider_id is not None
        if step.writes:
            await self._provider.update_configuration(
                step.provider_id, step.params, idempotency_key=key
            )
        return step.provider_id

    def _mapping_after(
        self, step: PlannedChange, provider_id: str, current: ConfigurationMapping | None
    ) -> ConfigurationMapping | None:
        """The mapping row to save, or None when the recorded one is already right."""
        if step.action is PlanAction.DEACTIVATE:
            in_catalog = self._catalog.get(step.name) is not None
            if in_catalog or (current is not None and current.provider_id != provider_id):
                return None  # a duplicate: the row belongs to the configuration we kept
            active, fingerprint = False, current.fingerprint if current else step.fingerprint
        else:
            active, fingerprint = True, step.fingerprint
        if current is not None and (current.provider_id, current.fingerprint, current.active) == (
            provider_id,
            fingerprint,
            active,
        ):
            return None
        return ConfigurationMapping(step.name, provider_id, fingerprint, active, self._clock.now())

    async def _retire_stale_mappings(self, recorded: dict[str, ConfigurationMapping]) -> int:
        """Rows for names gone from the catalog whose configuration is already inactive."""
        retired = 0
        for name, mapping in list(recorded.items()):
            if mapping.active and self._catalog.get(name) is None:
                stale = ConfigurationMapping(
                    name, mapping.provider_id, mapping.fingerprint, False, self._clock.now()
                )
                await self._mappings.save(stale)
                recorded[name] = stale
                retired += 1
        return retired
