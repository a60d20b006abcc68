from __future__ import annotations

from typing import Protocol

from domain.subscription import Subscription


class SubscriptionSource(Protocol):
    """Where the portal rules read a customer's subscriptions (every status) from.

    ``BillingProvider`` fits (it asks Stripe); ``SubscriptionReader`` asks the mirror first.
    """

    async def list_subscriptions(self, customer_id: str) -> list[Subscription]: ...
