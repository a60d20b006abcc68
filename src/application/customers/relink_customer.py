"""Use case: move a linked user to another Stripe customer (the server API's relink)."""

from __future__ import annotations

from dataclasses import dataclass

from application.customers.link_customer import LinkCustomer, LinkCustomerRequest
from application.errors import UserNotFound
from application.ports.customer_directory import CustomerDirectory
from domain.customer import Customer


@dataclass(frozen=True, slots=True)
class RelinkCustomerRequest:
    user_id: str
    stripe_customer_id: str
    actor: str
    segment: str | None = None  # None: keep the user's segment
    email: str | None = None  # None: keep the user's email


class RelinkCustomer:
    """Only for a user who is linked already (``UserNotFound`` otherwise); the new customer
    must not belong to another user (``LinkConflict``). Audited as ``relink``."""

    def __init__(self, customers: CustomerDirectory, link: LinkCustomer) -> None:
        self._customers = customers
        self._link = link

    async def execute(self, request: RelinkCustomerRequest) -> Customer:
        current = await self._customers.get(request.user_id)
        if current is None:
            raise UserNotFound(f"no customer link for user {request.user_id!r}; link it first")
        return await self._link.execute(
            LinkCustomerRequest(
                user_id=request.user_id,
                stripe_customer_id=request.stripe_customer_id,
                segment=request.segment or current.segment,
                email=request.email or current.email,
                actor=request.actor,
                replace_existing=True,
            )
        )
