"""Stripe's list objects and ``expand[]``.

Lists are newest first (by ``created``, then by insertion), cut by ``limit`` (1-100,
default 10) and the ``starting_after``/``ending_before`` cursors. ``expand`` replaces id
strings by the objects they name, following dotted paths through lists' ``data``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .errors import InvalidRequest
from .objects import detached
from .params import Params, integer, text
from .state import State, kind_of

Lookup = Callable[[str, str], dict[str, Any] | None]
"""``lookup(kind, id)``: a rendered object, or None."""

Include = Callable[[dict[str, Any], str], tuple[bool, Any]]
"""``include(obj, path)``: ``(True, value)`` for a field Stripe shows only when expanded."""


def list_object(data: list[dict[str, Any]], url: str, has_more: bool) -> dict[str, Any]:
    """Stripe's ``{"object": "list", "data", "has_more", "url"}`` envelope."""
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def newest_first(state: State, kind: str) -> list[dict[str, Any]]:
    """The objects of ``kind`` in list order: newest first, later insertions first."""
    return _newest_first(list(state.table(kind).values()))


def _newest_first(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(reversed(objects), key=lambda o: o.get("created", 0), reverse=True)


def paginate(
    objects: Iterable[dict[str, Any]], params: Params, url: str, presorted: bool = False
) -> dict[str, Any]:
    """One page of ``objects`` as a list object, honouring limit and cursors.

    Objects are shown newest first unless ``presorted`` (already in display order).
    """
    limit = integer(params, "limit")
    limit = 10 if limit is None else limit
    if not 1 <= limit <= 100:
        raise InvalidRequest(
            "This value must be greater than or equal to 1 and less than or equal to 100.",
            param="limit",
        )
    ordered = list(objects)
    if not presorted:
        ordered = _newest_first(ordered)
    after, before = text(params, "starting_after"), text(params, "ending_before")
    ids = [o["id"] for o in ordered]
    if after is not None:
        start = _position(ids, after, "starting_after") + 1
        page = ordered[start : start + limit]
        has_more = start + limit < len(ordered)
    elif before is not None:
        end = _position(ids, before, "ending_before")
        page = ordered[max(0, end - limit) : end]
        has_more = end - limit > 0
    else:
        page, has_more = ordered[:limit], len(ordered) > limit
    return list_object([detached(o) for o in page], url, has_more)


def _position(ids: list[str], cursor: str, param: str) -> int:
    try:
        return ids.index(cursor)
    except ValueError:
        raise InvalidRequest(
            f"No such object: '{cursor}'", code="resource_missing", param=param
        ) from None


def expand(
    obj: dict[str, Any], paths: Iterable[str], lookup: Lookup, include: Include
) -> dict[str, Any]:
    """Expand every dotted path in ``paths`` inside ``obj`` (in place); returns ``obj``."""
    for path in paths:
        if not isinstance(path, str) or not path:
            raise InvalidRequest("Invalid expand path.", param="expand")
        if len([s for s in path.split(".") if s != "data"]) > 4:
            raise InvalidRequest(
                f"You cannot expand more than 4 levels of a property. Property: {path}",
                param="expand",
            )
        _expand(obj, path.split("."), lookup, include)
    return obj


def _expand(node: dict[str, Any], segments: list[str], lookup: Lookup, include: Include) -> None:
    key, rest = segments[0], segments[1:]
    if key == "data" and node.get("object") == "list":
        for item in node["data"]:
            if rest:
                _expand(item, rest, lookup, include)
        return
    included, value = include(node, ".".join(segments))
    if included:
        _set_path(node, segments, value)
        return
    if key not in node:
        raise InvalidRequest(f"This property cannot be expanded ({key}).", param="expand")
    value = node[key]
    if isinstance(value, str):
        kind = kind_of(value)
        found = lookup(kind, value) if kind else None
        if found is None:
            raise InvalidRequest(f"This property cannot be expanded ({key}).", param="expand")
        node[key] = value = found
    if rest and isinstance(value, dict):
        _expand(value, rest, lookup, include)


def _set_path(node: dict[str, Any], segments: list[str], value: Any) -> None:
    for key in segments[:-1]:
        node = node[key]
    node[segments[-1]] = value
