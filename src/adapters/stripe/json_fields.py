"""Defensive reads of Stripe's JSON: a missing key, a null or a wrong type gives a default."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

Json = Mapping[str, object]
_EMPTY: Json = {}


def section(data: Json, key: str) -> Json:
    value = data.get(key)
    return value if isinstance(value, Mapping) else _EMPTY


def text(data: Json, key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def integer(data: Json, key: str) -> int | None:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def flag(data: Json, key: str) -> bool:
    return data.get(key) is True


def moment(data: Json, key: str) -> datetime | None:
    """A Unix timestamp as an aware UTC datetime."""
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def reference(data: Json, key: str) -> str | None:
    """An object id whether Stripe sent the id or the expanded object."""
    value = data.get(key)
    if isinstance(value, str) and value:
        return value
    if isinstance(value, Mapping):
        return text(value, "id")
    return None


def entries(data: Json, key: str) -> list[Json]:
    """The objects of a list field, whether a plain array or Stripe's ``{"data": [...]}``."""
    value = data.get(key)
    if isinstance(value, Mapping):
        value = value.get("data")
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [v for v in value if isinstance(v, Mapping)]
    return []


def changed(previous: Json, key: str) -> bool:
    """Whether ``previous_attributes`` says ``key`` changed (a null old value counts)."""
    return key in previous
