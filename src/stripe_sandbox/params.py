"""Read parameters the way Stripe does, whether they arrive as form strings or Python values.

``Params`` is the decoded request: a mapping of strings, lists and nested mappings. The
helpers raise :class:`InvalidRequest` naming the parameter, as Stripe's 400s do. An empty
string means "unset" where Stripe allows it (``metadata[key]=``, ``default_payment_method=``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .errors import InvalidRequest

Params = Mapping[str, Any]

_TRUE = {"true", "True", "1"}
_FALSE = {"false", "False", "0"}


def require(params: Params, name: str, label: str | None = None) -> Any:
    """The value of a required parameter."""
    value = params.get(name)
    if value is None or value == "":
        raise InvalidRequest(f"Missing required param: {label or name}.", param=label or name)
    return value


def text(params: Params, name: str, label: str | None = None) -> str | None:
    """An optional string; ``""`` means unset (None)."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidRequest(f"Invalid string: {label or name}", param=label or name)
    return value


def integer(params: Params, name: str, label: str | None = None) -> int | None:
    """An optional integer."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidRequest(f"Invalid integer: {value}", param=label or name)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidRequest(f"Invalid integer: {value}", param=label or name) from None


def boolean(params: Params, name: str, label: str | None = None) -> bool | None:
    """An optional boolean (``true``/``false``)."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidRequest(f"Invalid boolean: {value}", param=label or name)


def choice(
    params: Params, name: str, allowed: Sequence[str], label: str | None = None
) -> str | None:
    """An optional string that must be one of ``allowed``."""
    value = text(params, name, label)
    if value is not None and value not in allowed:
        options = ", ".join(f"`{a}`" for a in allowed)
        raise InvalidRequest(
            f"Invalid {label or name}: must be one of {options}", param=label or name
        )
    return value


def mapping(params: Params, name: str, label: str | None = None) -> Params:
    """An optional nested hash; absent or ``""`` gives an empty mapping."""
    value = params.get(name)
    if value is None or value == "":
        return {}
    if not isinstance(value, Mapping):
        raise InvalidRequest(f"Invalid object: {label or name}", param=label or name)
    return value


def array(params: Params, name: str, label: str | None = None) -> list[Any]:
    """An optional array; ``""`` gives an empty list (Stripe's way to clear one)."""
    value = params.get(name)
    if value is None or value == "":
        return []
    if isinstance(value, Mapping | str):
        raise InvalidRequest(f"Invalid array: {label or name}", param=label or name)
    return list(value)


def merge_metadata(current: Mapping[str, str] | None, params: Params) -> dict[str, str]:
    """Stripe's metadata update: set keys, ``""`` deletes a key, ``metadata=""`` clears."""
    if params.get("metadata") == "":
        return {}
    result = dict(current or {})
    for key, value in mapping(params, "metadata").items():
        if value in ("", None):
            result.pop(key, None)
        else:
            result[str(key)] = str(value)
    return result
