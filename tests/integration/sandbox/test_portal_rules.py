"""The portal's pure rules: when a plan change waits for the period end, and when the
cancellation survey may be skipped."""

from __future__ import annotations

from typing import Any

import pytest

from stripe_sandbox.portal import rules
from stripe_sandbox.portal.context import PortalRefusal


def price(amount: int, interval: str = "month", count: int = 1) -> dict[str, Any]:
    return {"unit_amount": amount, "recurring": {"interval": interval, "interval_count": count}}


def feature(*conditions: str) -> dict[str, Any]:
    return {"schedule_at_period_end": {"conditions": [{"type": c} for c in conditions]}}


@pytest.mark.parametrize(
    ("conditions", "old", "quantity", "new", "new_quantity", "scheduled"),
    [
        (("decreasing_item_amount",), price(2900), 1, price(900), 1, True),
        (("decreasing_item_amount",), price(900), 1, price(2900), 1, False),
        (("decreasing_item_amount",), price(900), 3, price(900), 2, True),
        (("decreasing_item_amount",), price(900), 2, price(900), 3, False),
        # amounts compare per billing period, as the customer sees them
        (("decreasing_item_amount",), price(900), 1, price(9000, "year"), 1, False),
        (("decreasing_item_amount",), price(9000, "year"), 1, price(900), 1, True),
        (("shortening_interval",), price(9000, "year"), 1, price(900), 1, True),
        (("shortening_interval",), price(900), 1, price(9000, "year"), 1, False),
        (("shortening_interval",), price(900, "month", 3), 1, price(400), 1, True),
        ((), price(2900), 1, price(900), 1, False),
        ((), price(9000, "year"), 1, price(900), 1, False),
    ],
)
def test_which_changes_wait_for_the_period_end(
    conditions: tuple[str, ...],
    old: dict[str, Any],
    quantity: int,
    new: dict[str, Any],
    new_quantity: int,
    scheduled: bool,
) -> None:
    item = {"price": old, "quantity": quantity}
    assert rules.scheduled_at_period_end(feature(*conditions), item, new, new_quantity) is scheduled


SURVEY = {
    "mode": "at_period_end",
    "proration_behavior": "none",
    "cancellation_reason": {"enabled": True, "options": ["too_expensive", "other"]},
}
SUB = {"status": "active", "cancel_at_period_end": False}


@pytest.mark.parametrize("required", [False, True])
def test_a_listed_reason_is_always_accepted(required: bool) -> None:
    _, params = rules.cancellation(SURVEY, SUB, "other", None, required)
    assert params["cancellation_details"] == {"feedback": "other"}


def test_no_reason_is_accepted_unless_required() -> None:
    assert rules.cancellation(SURVEY, SUB, None, None) == (
        False,
        {"cancel_at_period_end": "true"},
    )
    with pytest.raises(PortalRefusal, match="tell us why"):
        rules.cancellation(SURVEY, SUB, None, None, required=True)


def test_an_unlisted_reason_is_refused_either_way() -> None:
    with pytest.raises(PortalRefusal):
        rules.cancellation(SURVEY, SUB, "unused", None)


@pytest.mark.parametrize(
    ("metadata", "required"),
    [
        ({}, False),
        ({"cancellation_reason_required": "true"}, True),
        ({"cancellation_reason_required": "false"}, False),
    ],
)
def test_the_configuration_metadata_decides_whether_a_reason_is_required(
    metadata: dict[str, str], required: bool
) -> None:
    assert rules.reason_required({"metadata": metadata}) is required
