"""Field-by-field comparison of a declared configuration with the provider's object."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from domain.catalog.stripe_params import Params, canonical


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One managed field whose value at the provider differs from the catalog.

    ``path`` is dotted in Stripe's nesting (``features.subscription_cancel.mode``,
    ``metadata.team``); ``old`` is what the provider holds, ``new`` what the catalog
    declares, both in comparable form (None = unset or empty; unordered lists sorted).
    """

    path: str
    old: object
    new: object


def diff_fields(
    desired: Params, fields: Mapping[str, object], metadata: Mapping[str, str]
) -> tuple[FieldChange, ...]:
    """Changes needed to turn the provider's ``fields``/``metadata`` into ``desired``.

    Only fields the catalog manages are compared: everything in ``desired`` plus metadata
    keys the provider holds that the catalog no longer declares (to be cleared). Extra keys
    Stripe adds (``id``, ``created``, ``login_page``, sub-keys such as
    ``trial_update_behavior`` or ``adjustable_quantity``) are ignored.
    """
    changes: list[FieldChange] = []
    for path, new in _leaves(desired):
        if path.startswith("metadata."):
            old: object = metadata.get(path.removeprefix("metadata."))
        else:
            old = _lookup(fields, path)
        before, after = canonical(old, path), canonical(new, path)
        if before != after:
            changes.append(FieldChange(path, before, after))
    declared = desired.get("metadata", {})
    for key in sorted(set(metadata) - set(declared)):
        changes.append(FieldChange(f"metadata.{key}", metadata[key], None))
    return tuple(changes)


def _leaves(value: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, object]]:
    for key, inner in value.items():
        path = f"{prefix}{key}"
        if isinstance(inner, Mapping):
            yield from _leaves(inner, path + ".")
        else:
            yield path, inner


def _lookup(data: Mapping[str, object], path: str) -> object:
    current: object = data
    for part in path.split("."):
        if not isinstance(current, Mapping):
            return None
        current = current.get(part)
    return current
