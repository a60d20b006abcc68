"""Use case: what support staff see for a user, including the portal decision and why."""

from __future__ import annotations

from dataclasses import dataclass

from application.errors import UserNotFound
from application.ports.clock import Clock
from application.ports.customer_directory import CustomerDirectory
from application.ports.subscription_source import SubscriptionSource
from domain.customer import Customer
from domain.portal_decision import PortalDecision
from domain.portal_policy import PortalPolicy, decide_portal_access
from domain.subscription import Subscription


@dataclass(frozen=True, slots=True)
class CustomerView:
    customer: Customer
    subscriptions: tuple[Subscription, ...]
    decision: PortalDecision


class ShowCustomer:
    """Read-only: the link, every subscription (all statuses) and today's decision.

    ``subscriptions`` is the provider itself or, in the service, ``SubscriptionReader``
    (the mirror first), so support staff see what the portal rules see."""

    def __init__(
        self,
        customers: CustomerDirectory,
        subscriptions: SubscriptionSource,
        clock: Clock,
        policy: PortalPolicy,
    ) -> None:
        self._customers = customers
        self._subscriptions = subscriptions
        self._clock = clock
        self._policy = policy

    async def execute(self, user_id: str) -> CustomerView:
        customer = await self._customers.get(user_id)
        if customer is None:
            raise UserNotFound(f"no customer link for user {user_id!r}; see `customers link`")
        subs: list[Subscription] = []
        if customer.stripe_customer_id:
            subs = await self._subscriptions.list_subscriptions(customer.stripe_customer_id)
        decision = decide_portal_access(self._policy, customer, subs, self._clock.now())
        return CustomerView(customer, tuple(subs), decision)
