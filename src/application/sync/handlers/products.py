"""A product was created, renamed or deleted: plans are named after their products."""

from __future__ import annotations

import dataclasses

from application.ports.billing_event_source import BillingEventSource
from application.ports.billing_mirror import BillingMirror
from application.sync.reconcile import reconcile
from application.sync.settings import SyncSettings
from domain.billing.events import Change, ProductChanged


class ProductEventHandler:
    def __init__(
        self, mirror: BillingMirror, source: BillingEventSource, settings: SyncSettings
    ) -> None:
        self._mirror, self._source, self._settings = mirror, source, settings

    async def handle(self, event: ProductChanged) -> None:
        incoming = event.product
        if event.change is Change.DELETED:
            incoming = dataclasses.replace(incoming, deleted=True)
        await reconcile(
            await self._mirror.get_product(incoming.id),
            incoming,
            refetch=lambda: self._source.retrieve_product(incoming.id),
            save=self._mirror.save_product,
            always_refetch=self._settings.always_refetch,
        )
