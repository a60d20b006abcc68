"""Automatic linking: the user a Stripe event names, linked to that event's customer.

Two sources, each switched on by its setting: a completed checkout whose
``client_reference_id`` is the app's user id, and a customer whose metadata carries the user
id (and the segment) under the configured keys. Conflicts are refused and audited, never
overwritten: the operator resolves them with the ``customers`` commands.
"""

from __future__ import annotations

from dataclasses import dataclass

from application.customers.link_request import LinkCustomerRequest
from application.customers.link_writer import LinkWriter
from application.errors import InvalidRequest, LinkConflict
from application.ports.clock import Clock
from application.ports.customer_directory import CustomerDirectory
from application.ports.customer_link_audit import (
    CustomerLinkAudit,
    CustomerLinkChange,
    RefusalReason,
)
from application.sync.settings import AutoLinkSettings
from domain.billing.customer import MirroredCustomer
from domain.billing.events import CheckoutCompleted
from domain.portal_policy import PortalPolicy


@dataclass(frozen=True, slots=True)
class LinkClaim:
    """An event's word that ``user_id`` is the app user behind ``customer_id``."""

    user_id: str
    customer_id: str
    segment: str | None  # None: the link's current segment, else the default segment
    source: str  # checkout or metadata: the audit's actor is ``stripe:<source>``


def checkout_claim(event: CheckoutCompleted, settings: AutoLinkSettings) -> LinkClaim | None:
    """None when checkout linking is off, or the session names no user or no customer (a
    one-off payment without a customer has nothing to link)."""
    if not settings.from_checkout or not event.client_reference_id or not event.customer_id:
        return None
    segment = event.metadata.get(settings.segment_key) or None
    return LinkClaim(event.client_reference_id, event.customer_id, segment, "checkout")


def metadata_claim(customer: MirroredCustomer, settings: AutoLinkSettings) -> LinkClaim | None:
    """None when metadata linking is off, the customer is deleted, or its metadata names no
    user (removing the key does not unlink: unlinking is an operator's decision)."""
    user_id = customer.metadata.get(settings.user_id_key)
    if not settings.from_metadata or customer.deleted or not user_id:
        return None
    segment = customer.metadata.get(settings.segment_key) or None
    return LinkClaim(user_id, customer.id, segment, "metadata")


class AutoLink:
    """Applies a claim inside the event's unit of work (never commits).

    Links the user, or moves a linked user's segment, through the same rules as
    ``customers link`` (``LinkWriter``), except that a user linked to another customer is
    never moved. A refusal (the customer belongs to another user, the user to another
    customer, an unknown or missing segment, a malformed id) changes no link, is audited as
    ``refused`` with its reason, and does not fail the event: retrying would not resolve it.
    """

    def __init__(
        self,
        customers: CustomerDirectory,
        audit: CustomerLinkAudit,
        clock: Clock,
        policy: PortalPolicy,
        settings: AutoLinkSettings,
    ) -> None:
        known = frozenset(policy.segment_configurations)
        self._writer = LinkWriter(customers, known, audit, clock)
        self._customers, self._audit, self._clock = customers, audit, clock
        self._default_segment = settings.default_segment

    async def apply(self, claim: LinkClaim) -> None:
        current = await self._customers.get(claim.user_id)
        kept = (
            current.segment if current and current.stripe_customer_id == claim.customer_id else None
        )
        segment = claim.segment or kept or self._default_segment
        if segment is None:
            detail = "the metadata names no segment and no default segment is set"
            await self._refuse(claim, None, "no_segment", detail)
            return
        request = LinkCustomerRequest(
            user_id=claim.user_id,
            stripe_customer_id=claim.customer_id,
            segment=segment,
            email=current.email if current else None,
            actor=f"stripe:{claim.source}",
            replace_existing=False,
        )
        try:
            await self._writer.write(request)
        except LinkConflict as conflict:
            reason: RefusalReason = (
                "customer_linked_elsewhere"
                if conflict.field == "customer_id"
                else "user_linked_elsewhere"
            )
            await self._refuse(claim, segment, reason, conflict.message)
        except InvalidRequest as invalid:
            reason = "unknown_segment" if invalid.field == "segment" else "invalid"
            await self._refuse(claim, segment, reason, invalid.message)

    async def _refuse(
        self, claim: LinkClaim, segment: str | None, reason: RefusalReason, detail: str
    ) -> None:
        current = await self._customers.get(claim.user_id)
        await self._audit.record(
            CustomerLinkChange(
                action="refused",
                user_id=claim.user_id[:255],
                actor=f"stripe:{claim.source}",
                occurred_at=self._clock.now(),
                customer_id=claim.customer_id[:255],
                segment=segment[:64] if segment else None,
                previous_customer_id=current.stripe_customer_id if current else None,
                previous_segment=current.segment if current else None,
                reason=reason,
                detail=detail[:255],
            )
        )
