"""Queue customer emails in the caller's unit of work; once per email key."""

from __future__ import annotations

from application.ports.billing_event_source import BillingEventSource
from application.ports.billing_mirror import BillingMirror
from application.ports.clock import Clock
from application.ports.customer_directory import CustomerDirectory
from application.ports.outbox import Outbox, OutboxMessage
from domain.billing.notifications import Email


class Notifier:
    """Finds the customer's address (the email's own, then the mirror, then our link,
    then the provider) and enqueues the email under its key, with the event id among its
    facts. Returns False when nothing was queued (no address known, or already queued)."""

    def __init__(
        self,
        outbox: Outbox,
        mirror: BillingMirror,
        customers: CustomerDirectory,
        source: BillingEventSource,
        clock: Clock,
    ) -> None:
        self._outbox, self._mirror, self._customers = outbox, mirror, customers
        self._source, self._clock = source, clock

    async def send(self, email: Email, *, event_id: str) -> bool:
        to = email.address or await self._address(email.customer_id)
        if to is None:
            return False
        message = OutboxMessage(
            key=email.key,
            template=email.template.value,
            to=to,
            created_at=self._clock.now(),
            context={**email.facts, "event_id": event_id},
        )
        return await self._outbox.enqueue(message)

    async def _address(self, customer_id: str | None) -> str | None:
        if not customer_id:
            return None
        mirrored = await self._mirror.get_customer(customer_id)
        if mirrored is not None and mirrored.email:
            return mirrored.email
        linked = await self._customers.get_by_stripe_customer_id(customer_id)
        if linked is not None and linked.email:
            return linked.email
        fetched = await self._source.retrieve_customer(customer_id)
        return fetched.email if fetched is not None else None
