"""A customer's tax id was added, changed or removed: read the customer's tax ids again."""

from __future__ import annotations

from application.ports.billing_event_source import BillingEventSource
from application.ports.billing_mirror import BillingMirror
from application.sync.reconcile import store_refetched
from domain.billing.events import TaxIdChanged


class TaxIdEventHandler:
    """The provider reads a customer with every tax id it has now, so a re-read is right
    whatever order the tax-id events arrive in (a delete overtaking its create included).
    The read is newer than everything the mirror saw, so it is stored."""

    def __init__(self, mirror: BillingMirror, source: BillingEventSource) -> None:
        self._mirror, self._source = mirror, source

    async def handle(self, event: TaxIdChanged) -> None:
        existing = await self._mirror.get_customer(event.customer_id)
        fetched = await self._source.retrieve_customer(event.customer_id)
        if fetched is None:
            return  # the customer is gone; its deletion event updates the mirror
        await store_refetched(existing, fetched, event.envelope.version, self._mirror.save_customer)
