from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.portal_flow import PortalFlow
from domain.subscription import Subscription


@dataclass(frozen=True, slots=True)
class PortalSessionRequest:
    customer_id: str
    configuration_id: str
    return_url: str
    flow: PortalFlow | None = None
    locale: str | None = None


@dataclass(frozen=True, slots=True)
class PortalSession:
    id: str
    url: str


class BillingProvider(Protocol):
    """Reads a customer's subscriptions and opens hosted portal sessions (Stripe).

    Raises ``ProviderUnavailable``, ``ProviderMisconfigured``, ``BillingAccountGone`` or
    ``ProviderRejected``; never an SDK exception.
    """

    async def list_subscriptions(self, customer_id: str) -> list[Subscription]:
        """Every subscription of the customer, in every status (ended ones included)."""
        ...

    async def create_portal_session(self, request: PortalSessionRequest) -> PortalSession:
        """A new portal session; after a deep-link flow completes it returns to return_url."""
        ...
