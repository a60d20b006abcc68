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

    async def remove(self, user_id: str) -> None:
        """Delete the user's link, if any (not committed)."""
        ...

    async def list_page(
        self, *, segment: str | None, after_user_id: str | None, limit: int
    ) -> list[Customer]:
        """Up to ``limit`` links ordered by user id, strictly after ``after_user_id`` when
        given, only those of ``segment`` when given."""
        ...
