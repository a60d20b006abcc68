"""Read a customer's subscriptions from the mirror when it holds all of them, else from
the provider."""

from __future__ import annotations

from application.ports.billing_mirror import BillingMirror
from application.ports.billing_provider import BillingProvider
from application.ports.subscription_source import SubscriptionSource
from domain.subscription import Subscription


class SubscriptionReader(SubscriptionSource):
    """Every subscription (all statuses) of ``customer_id``.

    The mirror answers only once it is complete for the customer: `billing-portal sync`
    copied all of the customer's subscriptions, or the mirror saw the customer being
    created. Until then it may hold just the subscriptions some event mentioned (a
    canceled one, say, while an active one was never synced), and the portal rules would
    decide on a part of the picture, so the provider answers.
    """

    def __init__(self, mirror: BillingMirror, provider: BillingProvider) -> None:
        self._mirror, self._provider = mirror, provider

    async def list_subscriptions(self, customer_id: str) -> list[Subscription]:
        mirrored = await self._mirror.complete_subscriptions(customer_id)
        if mirrored is not None:
            return [m.subscription for m in mirrored]
        return await self._provider.list_subscriptions(customer_id)
