"""Writing one link: the checks, the conflict refusals, the save and its audit, uncommitted."""

from __future__ import annotations

from application.customers.link_request import LinkCustomerRequest
from application.customers.link_rules import (
    check_customer_id,
    check_email,
    check_segment,
    check_user_id,
)
from application.errors import LinkConflict
from application.ports.clock import Clock
from application.ports.customer_directory import CustomerDirectory
from application.ports.customer_link_audit import CustomerLinkAudit, CustomerLinkChange, LinkAction
from domain.customer import Customer


class LinkWriter:
    """What ``LinkCustomer`` does before its commit, for callers that own the unit of work
    (the sync's automatic linking runs inside the event's).

    Refuses malformed ids, unknown segments and bad emails (``InvalidRequest``), a Stripe
    customer another user holds (``LinkConflict``, field ``customer_id``) and, unless
    ``replace_existing``, a user linked to another customer (``LinkConflict``, field
    ``user_id``). The same customer and segment again changes and audits nothing.
    """

    def __init__(
        self,
        customers: CustomerDirectory,
        known_segments: frozenset[str],
        audit: CustomerLinkAudit,
        clock: Clock,
    ) -> None:
        self._customers = customers
        self._known_segments = known_segments
        self._audit = audit
        self._clock = clock

    async def write(self, request: LinkCustomerRequest) -> Customer:
        check_user_id(request.user_id)
        check_customer_id(request.stripe_customer_id)
        check_segment(request.segment, self._known_segments)
        check_email(request.email)
        customer = Customer(
            user_id=request.user_id,
            stripe_customer_id=request.stripe_customer_id,
            segment=request.segment,
            email=request.email,
        )
        owner = await self._customers.get_by_stripe_customer_id(request.stripe_customer_id)
        if owner is not None and owner.user_id != request.user_id:
            raise LinkConflict(
                f"{request.stripe_customer_id} is already linked to user {owner.user_id!r}",
                field="customer_id",
            )
        current = await self._customers.get(request.user_id)
        action = _action(current, customer)
        if action == "relink" and not request.replace_existing:
            raise LinkConflict(
                f"user {request.user_id!r} is already linked to "
                f"{current.stripe_customer_id if current else ''}; relink to change the customer",
                field="user_id",
            )
        await self._customers.save(customer)
        if action is not None:
            await self._audit.record(
                CustomerLinkChange(
                    action=action,
                    user_id=customer.user_id,
                    actor=request.actor,
                    occurred_at=self._clock.now(),
                    customer_id=customer.stripe_customer_id,
                    segment=customer.segment,
                    previous_customer_id=current.stripe_customer_id if current else None,
                    previous_segment=current.segment if current else None,
                )
            )
        return customer


def _action(current: Customer | None, new: Customer) -> LinkAction | None:
    if current is None or current.stripe_customer_id is None:
        return "link"
    if current.stripe_customer_id != new.stripe_customer_id:
        return "relink"
    if current.segment != new.segment:
        return "segment"
    return None
