"""Use case: remove a user's link to their Stripe customer."""

from __future__ import annotations

from dataclasses import dataclass

from application.errors import UserNotFound
from application.ports.clock import Clock
from application.ports.customer_directory import CustomerDirectory
from application.ports.customer_link_audit import CustomerLinkAudit, CustomerLinkChange
from application.ports.transaction_manager import TransactionManager
from domain.customer import Customer


@dataclass(frozen=True, slots=True)
class UnlinkCustomerRequest:
    user_id: str
    actor: str


class UnlinkCustomer:
    """Deletes the link and audits ``unlink``; one commit. The Stripe customer and the
    mirrored billing records stay: relinking restores the user's view. Raises
    ``UserNotFound`` when the user has no link. Returns the link as it was."""

    def __init__(
        self,
        customers: CustomerDirectory,
        audit: CustomerLinkAudit,
        transaction: TransactionManager,
        clock: Clock,
    ) -> None:
        self._customers = customers
        self._audit = audit
        self._transaction = transaction
        self._clock = clock

    async def execute(self, request: UnlinkCustomerRequest) -> Customer:
        current = await self._customers.get(request.user_id)
        if current is None:
            raise UserNotFound(f"no customer link for user {request.user_id!r}")
        await self._customers.remove(request.user_id)
        await self._audit.record(
            CustomerLinkChange(
                action="unlink",
                user_id=request.user_id,
                actor=request.actor,
                occurred_at=self._clock.now(),
                previous_customer_id=current.stripe_customer_id,
                previous_segment=current.segment,
            )
        )
        await self._transaction.commit()
        return current
