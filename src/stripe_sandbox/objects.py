"""Blank Stripe objects, deep-copied from templates with Stripe's exact keys and nesting.

``templates/objects.json`` is a trimmed copy of Stripe's example objects (stripe/openapi
``fixtures3.json``) with every field reset to its unset value. Builders start from
:func:`blank` and fill in what they know, so responses never gain or lose a key.
"""

from __future__ import annotations

import copy
import json
import secrets
import string
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import msgspec

API_VERSION = "2026-10-28.endive"
"""The Stripe API version whose object shapes the sandbox returns."""

_ALPHABET = string.ascii_letters + string.digits
_ENCODE = msgspec.json.Encoder().encode
_DECODE = msgspec.json.Decoder().decode
T = TypeVar("T")


@cache
def _templates() -> dict[str, dict[str, Any]]:
    raw = resources.files(__package__).joinpath("templates/objects.json").read_text("utf-8")
    loaded: dict[str, dict[str, Any]] = json.loads(raw)
    return loaded


def blank(kind: str) -> dict[str, Any]:
    """A fresh, mutable copy of the template for ``kind`` (e.g. ``"subscription"``)."""
    return copy.deepcopy(_templates()[kind])


def detached(value: T) -> T:
    """A deep copy of JSON-able ``value`` (what the state holds) through msgspec's JSON
    codec: 5-10 times faster than ``copy.deepcopy``, which was a third of a list page's
    time at 10,000 customers."""
    copied: T = _DECODE(_ENCODE(value))
    return copied


def template_kinds() -> list[str]:
    """Every kind the sandbox can build (for the shape tests)."""
    return sorted(_templates())


def new_id(prefix: str, length: int = 24) -> str:
    """A Stripe-looking id such as ``cus_Qx...``."""
    return f"{prefix}_" + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def deleted(kind: str, object_id: str) -> dict[str, Any]:
    """Stripe's ``{"deleted": true, "id", "object"}`` reply to a DELETE."""
    obj = blank(f"deleted_{kind}")
    obj["id"] = object_id
    return obj
