from __future__ import annotations

from typing import Protocol

from domain.customer import Customer


class CustomerDirectory(Protocol):
    """Our own record of which Stripe customer belongs to which app user."""

    async def get(self, user_id: str) -> Customer | None: ...

    async def get_by_stripe_customer_id(self, stripe_customer_id: str) -> Customer | None: ...

    async def save(self, customer: Customer) -> None:
        """Insert or replace the link for ``customer.user_id`` (not committed)."""
        ...
