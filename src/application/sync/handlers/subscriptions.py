"""A subscription changed: mirror it, then tell the customer what changed."""

from __future__ import annotations

from application.ports.billing_mirror import BillingMirror
from application.sync.notifier import Notifier
from application.sync.product_names import ProductNames
from application.sync.provider_reads import ProviderReads
from application.sync.reconcile import reconcile
from application.sync.settings import SyncSettings
from domain.billing.events import SubscriptionChanged
from domain.billing.notifications import subscription_emails


class SubscriptionEventHandler:
    def __init__(
        self,
        mirror: BillingMirror,
        reads: ProviderReads,
        products: ProductNames,
        notifier: Notifier,
        settings: SyncSettings,
    ) -> None:
        self._mirror, self._reads, self._products = mirror, reads, products
        self._notifier, self._settings = notifier, settings

    async def handle(self, event: SubscriptionChanged) -> None:
        incoming = event.subscription
        existing = await self._mirror.get_subscription(incoming.id)
        await reconcile(
            existing,
            incoming,
            refetch=lambda: self._reads.subscription(incoming.id),
            save=self._mirror.save_subscription,
            always_refetch=self._settings.always_refetch,
        )
        # Named after the products (mirrored on a miss); emails describe what this event
        # reports, even when the mirror already holds a newer state.
        names = await self._products.of(incoming)
        for email in subscription_emails(event, existing, names):
            await self._notifier.send(email, event_id=event.envelope.id)
