"""Read a customer's subscriptions from the mirror, or from the provider when it has none."""

from __future__ import annotations

from application.ports.billing_mirror import BillingMirror
from application.ports.billing_provider import BillingProvider
from application.ports.subscription_source import SubscriptionSource
from domain.subscription import Subscription


class SubscriptionReader(SubscriptionSource):
    """Every subscription (all statuses) of ``customer_id``. The mirror answers when it
    knows any subscription of the customer; otherwise (not synced yet) the provider does."""

    def __init__(self, mirror: BillingMirror, provider: BillingProvider) -> None:
        self._mirror, self._provider = mirror, provider

    async def list_subscriptions(self, customer_id: str) -> list[Subscription]:
        mirrored = await self._mirror.list_subscriptions(customer_id)
        if mirrored:
            return [m.subscription for m in mirrored]
        return await self._provider.list_subscriptions(customer_id)
