"""A SaaS user and the Stripe customer our database links them to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Customer:
    """The link between an app user and their Stripe customer.

    ``stripe_customer_id`` is ``None`` while the user has no billing account yet.
    """

    user_id: str
    stripe_customer_id: str | None
    segment: str
    email: str | None = None

    @property
    def has_billing_account(self) -> bool:
        return bool(self.stripe_customer_id)
