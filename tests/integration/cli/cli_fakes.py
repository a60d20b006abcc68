"""The CLI tests' billing provider: the shared in-memory fake, plus a subscription builder."""

from __future__ import annotations

from billing_fakes import FakeBillingFamily, a_subscription
from billing_fakes import FakeBillingProvider as FakeBilling

from domain.subscription import Subscription

__all__ = ["FakeBilling", "FakeBillingFamily", "monthly_subscription"]


def monthly_subscription(customer_id: str, status: str = "active") -> Subscription:
    """A monthly Basic subscription for 3 seats, started months ago, in its current period."""
    return a_subscription(customer_id, status=status, started_months_ago=3, quantity=3)
