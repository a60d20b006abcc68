"""Read a customer's subscriptions from the mirror, or from the provider when it has none."""

from __future__ import annotations

from typing import Protocol

from application.ports.billing_mirror import BillingMirror
from application.ports.billing_provider import BillingProvider
from domain.subscription import Subscription


class SubscriptionSource(Protocol):
    """Where the portal rules read a customer's subscriptions (every status) from.

    ``BillingProvider`` fits (it asks Stripe); ``SubscriptionReader`` asks the mirror first.
    """

    async def list_subscriptions(self, customer_id: str) -> list[Subscription]: ...


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
