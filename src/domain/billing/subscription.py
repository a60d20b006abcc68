"""A subscription as the mirror holds it: the portal rules' snapshot plus what the page shows."""

from __future__ import annotations

from dataclasses import dataclass

from domain.billing.version import SourceVersion
from domain.subscription import Subscription


@dataclass(frozen=True, slots=True)
class CancellationDetails:
    reason: str | None = None  # Stripe's: cancellation_requested, payment_failed, ...
    feedback: str | None = None  # the customer's choice: too_expensive, missing_features, ...
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class MirroredSubscription:
    """``subscription`` is what the portal policy reads; ``plan_names`` maps price id to name."""

    subscription: Subscription
    version: SourceVersion
    plan_names: tuple[tuple[str, str], ...] = ()
    cancellation: CancellationDetails = CancellationDetails()
    default_payment_method_id: str | None = None

    @property
    def id(self) -> str:
        return self.subscription.id

    @property
    def customer_id(self) -> str:
        return self.subscription.customer_id

    def plan_name(self, price_id: str) -> str | None:
        return dict(self.plan_names).get(price_id)

    def plan_label(self) -> str:
        """The plan as a person reads it: names of its prices, or their ids."""
        items = self.subscription.items
        return " + ".join(self.plan_name(i.price_id) or i.price_id for i in items) or "no plan"
