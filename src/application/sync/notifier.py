"""Queue customer emails in the caller's unit of work; one per (event, template)."""

from __future__ import annotations

from collections.abc import Mapping

from application.ports.billing_event_source import BillingEventSource
from application.ports.billing_mirror import BillingMirror
from application.ports.clock import Clock
from application.ports.customer_directory import CustomerDirectory
from application.ports.outbox import Outbox, OutboxMessage


class EmailTemplate:
    PLAN_CHANGED = "plan_changed"
    CANCELLATION_SCHEDULED = "cancellation_scheduled"
    CANCELLATION_UNDONE = "cancellation_undone"
    SUBSCRIPTION_ENDED = "subscription_ended"
    PAYMENT_METHOD_UPDATED = "payment_method_updated"
    PAYMENT_FAILED = "payment_failed"


class Notifier:
    """Finds the customer's address (mirror, then our link, then the provider) and enqueues.

    ``key`` defaults to ``"<event id>:<template>"``, so a redelivered or replayed event
    never enqueues twice; a fact that two events report may pass a key of its own.
    Returns False when nothing was queued (no address known, or already queued).
    """

    def __init__(
        self,
        outbox: Outbox,
        mirror: BillingMirror,
        customers: CustomerDirectory,
        source: BillingEventSource,
        clock: Clock,
    ) -> None:
        self._outbox = outbox
        self._mirror = mirror
        self._customers = customers
        self._source = source
        self._clock = clock

    async def notify(
        self,
        *,
        event_id: str,
        template: str,
        customer_id: str | None,
        context: Mapping[str, object],
        key: str | None = None,
        address: str | None = None,
    ) -> bool:
        to = address or await self._address(customer_id)
        if to is None:
            return False
        message = OutboxMessage(
            key=key or f"{event_id}:{template}",
            template=template,
            to=to,
            created_at=self._clock.now(),
            context={**context, "event_id": event_id},
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
