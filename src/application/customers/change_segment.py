"""Use case: move a linked user to another customer segment (another portal configuration)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from application.customers.link_rules import check_segment
from application.errors import UserNotFound
from application.ports.clock import Clock
from application.ports.customer_directory import CustomerDirectory
from application.ports.customer_link_audit import CustomerLinkAudit, CustomerLinkChange
from application.ports.transaction_manager import TransactionManager
from domain.customer import Customer


@dataclass(frozen=True, slots=True)
class ChangeSegmentRequest:
    user_id: str
    segment: str
    actor: str


class ChangeSegment:
    """Sets the segment of a linked user (``UserNotFound`` otherwise) and audits
    ``segment``; an unknown or malformed segment is ``InvalidRequest``. Setting the segment
    the user already has changes and audits nothing."""

    def __init__(
        self,
        customers: CustomerDirectory,
        audit: CustomerLinkAudit,
        transaction: TransactionManager,
        clock: Clock,
        known_segments: frozenset[str],
    ) -> None:
        self._customers = customers
        self._audit = audit
        self._transaction = transaction
        self._clock = clock
        self._known_segments = known_segments

    async def execute(self, request: ChangeSegmentRequest) -> Customer:
        check_segment(request.segment, self._known_segments)
        current = await self._customers.get(request.user_id)
        if current is None:
            raise UserNotFound(f"no customer link for user {request.user_id!r}; link it first")
        if current.segment == request.segment:
            return current
        changed = dataclasses.replace(current, segment=request.segment)
        await self._customers.save(changed)
        await self._audit.record(
            CustomerLinkChange(
                action="segment",
                user_id=request.user_id,
                actor=request.actor,
                occurred_at=self._clock.now(),
                customer_id=current.stripe_customer_id,
                segment=request.segment,
                previous_customer_id=current.stripe_customer_id,
                previous_segment=current.segment,
            )
        )
        await self._transaction.commit()
        return changed
