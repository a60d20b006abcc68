"""What applying the catalog would do to the provider's configurations (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from domain.catalog.catalog import Catalog
from domain.catalog.diff import FieldChange, diff_fields
from domain.catalog.model import FINGERPRINT_KEY, NAME_KEY
from domain.catalog.stripe_params import (
    managed_state,
    state_digest,
    to_stripe_params,
    update_params,
)


class PlanAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    DEACTIVATE = "deactivate"
    REACTIVATE = "reactivate"


class ExistingConfiguration(Protocol):
    """A configuration the provider holds (the application's ``ProviderConfiguration``)."""

    @property
    def id(self) -> str: ...
    @property
    def active(self) -> bool: ...
    @property
    def metadata(self) -> Mapping[str, str]: ...
    @property
    def fields(self) -> Mapping[str, object]: ...


@dataclass(frozen=True, slots=True)
class PlannedChange:
    """One step of the plan for one configuration.

    ``provider_id`` is None only for ``create``. ``fingerprint`` is the catalog's for
    create/update/unchanged/reactivate, the provider's last applied one for deactivate.
    ``changes`` lists every field a create sets (old = None) or an update changes.
    ``params`` and ``idempotency_key`` are what to send; both empty for ``unchanged``.
    """

    name: str
    action: PlanAction
    provider_id: str | None
    fingerprint: str
    changes: tuple[FieldChange, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    idempotency_key: str = ""
    note: str = ""

    @property
    def writes(self) -> bool:
        return self.action is not PlanAction.UNCHANGED


@dataclass(frozen=True, slots=True)
class Plan:
    """Every step, catalog entries first (in file order), then deactivations."""

    entries: tuple[PlannedChange, ...]

    @property
    def write_count(self) -> int:
        return sum(1 for entry in self.entries if entry.writes)


def plan_catalog(
    catalog: Catalog,
    existing: Sequence[ExistingConfiguration],
    mapped_ids: Mapping[str, str],
) -> Plan:
    """Compare the catalog with what the provider holds.

    Identity: the provider configuration whose metadata names the entry; failing that, the
    id our mapping table recorded (unless that object's metadata names another entry).
    Configurations we declared earlier but are no longer in the catalog, and duplicates
    of a name, are deactivated.
    """
    tagged: dict[str, list[ExistingConfiguration]] = {}
    for config in existing:
        if NAME_KEY in config.metadata:
            tagged.setdefault(config.metadata[NAME_KEY], []).append(config)
    by_id = {config.id: config for config in existing}
    entries: list[PlannedChange] = []
    kept: set[str] = set()
    for name in catalog.names():
        target = _identify(tagged.get(name, []), mapped_ids.get(name), by_id)
        entries.append(_step(catalog, name, target))
        if target is not None:
            kept.add(target.id)
    retired = [c for c in existing if c.active and c.id not in kept and _ours(c, mapped_ids)]
    for config in retired:
        name = config.metadata.get(NAME_KEY) or _mapped_name(config.id, mapped_ids)
        duplicate = catalog.get(name) is not None
        note = "duplicate of the configuration kept for this name" if duplicate else ""
        entries.append(_deactivation(name, config, note))
    return Plan(tuple(entries))


def _identify(
    candidates: list[ExistingConfiguration],
    mapped_id: str | None,
    by_id: Mapping[str, ExistingConfiguration],
) -> ExistingConfiguration | None:
    if candidates:  # our metadata first; among several, the mapped one, then an active one
        return sorted(candidates, key=lambda c: (c.id != mapped_id, not c.active))[0]
    mapped = by_id.get(mapped_id or "")
    if mapped is not None and NAME_KEY not in mapped.metadata:
        return mapped
    return None


def _ours(config: ExistingConfiguration, mapped_ids: Mapping[str, str]) -> bool:
    return NAME_KEY in config.metadata or config.id in mapped_ids.values()


def _mapped_name(provider_id: str, mapped_ids: Mapping[str, str]) -> str:
    return next(name for name, mapped in mapped_ids.items() if mapped == provider_id)


def _step(catalog: Catalog, name: str, target: ExistingConfiguration | None) -> PlannedChange:
    configuration = catalog.get(name)
    assert configuration is not None
    desired = managed_state(configuration)
    print_ = str(desired["metadata"][FINGERPRINT_KEY])
    if target is None:
        key = f"portal-catalog:{name}:create:{print_}"
        fields = diff_fields(desired, {}, {})  # every field it will set, from nothing
        params = to_stripe_params(configuration)
        return PlannedChange(name, PlanAction.CREATE, None, print_, fields, params, key)
    changes = diff_fields(desired, target.fields, target.metadata)
    if target.active and not changes:
        return PlannedChange(name, PlanAction.UNCHANGED, target.id, print_)
    stale = [
        c.path.removeprefix("metadata.")
        for c in changes
        if c.path.startswith("metadata.") and c.new is None
    ]
    params = update_params(configuration, stale)
    action = PlanAction.UPDATE
    if not target.active:
        action = PlanAction.REACTIVATE
        params["active"] = True
        changes = (FieldChange("active", False, True), *changes)
    key = f"portal-catalog:{name}:{action}:{print_}:{_state_of(target)}"
    return PlannedChange(name, action, target.id, print_, changes, params, key)


def _deactivation(name: str, config: ExistingConfiguration, note: str) -> PlannedChange:
    key = f"portal-catalog:{name}:deactivate:{config.id}:{_state_of(config)}"
    applied = config.metadata.get(FINGERPRINT_KEY, "")
    changes = (FieldChange("active", True, False),)
    return PlannedChange(
        name, PlanAction.DEACTIVATE, config.id, applied, changes, {"active": False}, key, note
    )


def _state_of(config: ExistingConfiguration) -> str:
    # Keys writes on the provider's current state: replaying A->B->A within Stripe's 24 h
    # idempotency window must not be answered from the cache of the first A.
    return state_digest([config.id, config.active, dict(config.metadata), dict(config.fields)])
