"""Shared names for the CLI tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from billing_builders import a_subscription
from click.testing import Result

from domain.subscription import Subscription

CATALOG = Path(__file__).resolve().parents[3] / "portal-configurations.toml"

Run = Callable[..., Result]


def monthly_subscription(customer_id: str, status: str = "active") -> Subscription:
    """A monthly Basic subscription for 3 seats, started months ago, in its current period."""
    return a_subscription(customer_id, status=status, started_months_ago=3, quantity=3)
