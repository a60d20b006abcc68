"""Realistic Stripe payloads, built from Stripe's own example objects (fixtures3.json)."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures/stripe/fixtures3.json"
T0 = 1_772_366_400  # 2026-03-01 12:00:00 UTC
CUSTOMER = "cus_QXg1o8vcGmoR32"


@cache
def _resources() -> dict[str, Any]:
    return json.loads(FIXTURES.read_text())["resources"]


def stripe_object(kind: str, **changes: Any) -> dict[str, Any]:
    obj = copy.deepcopy(_resources()[kind])
    obj.update(changes)
    return obj


def subscription(
    sub_id: str = "sub_1", price: str = "price_basic", status: str = "active", **changes: Any
) -> dict[str, Any]:
    obj = stripe_object("subscription", id=sub_id, customer=CUSTOMER, status=status)
    obj.update(cancel_at_period_end=False, cancel_at=None, canceled_at=None, ended_at=None)
    item = obj["items"]["data"][0]
    item["price"].update(id=price, nickname=price.removeprefix("price_").title())
    item.update(current_period_start=T0, current_period_end=T0 + 30 * 86400)
    obj.update(changes)
    return obj


def customer(**changes: Any) -> dict[str, Any]:
    return stripe_object("customer", id=CUSTOMER, email="ada@example.com", **changes)


def payment_method(pm_id: str = "pm_visa", **changes: Any) -> dict[str, Any]:
    return stripe_object("payment_method", id=pm_id, customer=CUSTOMER, **changes)


def invoice(inv_id: str = "in_1", **changes: Any) -> dict[str, Any]:
    base = {"number": "7FE1103-0001", "hosted_invoice_url": "https://pay.example/in_1"}
    return stripe_object("invoice", id=inv_id, customer=CUSTOMER, **{**base, **changes})


def event(
    event_type: str,
    obj: dict[str, Any],
    *,
    event_id: str,
    created: int = T0,
    previous: dict[str, Any] | None = None,
) -> dict[str, Any]:
    envelope = stripe_object("event", id=event_id, type=event_type, created=created)
    envelope["data"] = {"object": obj}
    if previous is not None:
        envelope["data"]["previous_attributes"] = previous
    return envelope
