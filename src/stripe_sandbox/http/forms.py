"""Decode Stripe's form encoding: ``items[0][price]=p`` -> ``{"items": [{"price": "p"}]}``.

Indexed keys (``[0]``) and empty brackets (``[]``) both build lists; all other brackets
build dicts. Values stay strings; the store coerces them per parameter.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from ..errors import InvalidRequest

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


def parse_form(raw: str) -> dict[str, Any]:
    """Decode a query string or ``application/x-www-form-urlencoded`` body."""
    result: dict[str, Any] = {}
    for key, value in parse_qsl(raw, keep_blank_values=True):
        match = _KEY.match(key)
        if not match:
            raise InvalidRequest(f"Invalid parameter name: {key}", param=key)
        path = [match.group(1), *_SEGMENT.findall(match.group(2))]
        _assign(result, path, value, key)
    listified: dict[str, Any] = _listify(result)
    return listified


def _assign(node: dict[str, Any], path: list[str], value: str, key: str) -> None:
    for segment in path[:-1]:
        name = segment or str(len(node))
        child = node.setdefault(name, {})
        if not isinstance(child, dict):
            raise InvalidRequest(f"Invalid parameter nesting: {key}", param=key)
        node = child
    last = path[-1] or str(len(node))
    if isinstance(node.get(last), dict):
        raise InvalidRequest(f"Invalid parameter nesting: {key}", param=key)
    node[last] = value


def _listify(node: Any) -> Any:
    """Turn dicts whose keys are all 0..n-1 (from ``[i]`` or ``[]``) into lists."""
    if not isinstance(node, dict):
        return node
    converted = {k: _listify(v) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted):
        ordered = sorted(converted, key=int)
        return [converted[k] for k in ordered]
    return converted
