"""Stripe's own example objects (``tests/fixtures/stripe/fixtures3.json``), copied and adjusted."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "stripe" / "fixtures3.json"


@cache
def _resources() -> dict[str, Any]:
    if not FIXTURES.is_file():
        raise FileNotFoundError(
            f"Stripe's example objects are missing: expected {FIXTURES} (vendored in the repository)"
        )
    resources: dict[str, Any] = json.loads(FIXTURES.read_text())["resources"]
    return resources


def example(resource: str, **overrides: Any) -> dict[str, Any]:
    """A deep copy of Stripe's example ``resource`` with top-level fields replaced."""
    obj: dict[str, Any] = copy.deepcopy(_resources()[resource])
    obj.update(overrides)
    return obj


def subscription_item(item_id: str, price: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = copy.deepcopy(example("subscription")["items"]["data"][0])
    item.update(id=item_id, price=price, **overrides)
    return item


def subscription(sub_id: str, items: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    sub = example("subscription", id=sub_id, **overrides)
    sub["items"]["data"] = items
    return sub


def stripe_list(data: list[dict[str, Any]], url: str, *, has_more: bool = False) -> dict[str, Any]:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def stripe_error(
    message: str, *, type: str = "invalid_request_error", code: str | None = None,
    param: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    return {"error": {"type": type, "code": code, "message": message, "param": param}}
