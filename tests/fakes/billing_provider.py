from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from application.ports.billing_provider import BillingProvider, PortalSession, PortalSessionRequest
from domain.subscription import Subscription


class FakeBillingProvider(BillingProvider):
    """Subscriptions by customer id; every session request is recorded.

    ``failure`` is raised by every call; ``list_error`` / ``session_error`` by that call only.
    """

    def __init__(self, subscriptions: Mapping[str, Sequence[Subscription]] | None = None) -> None:
        self.subscriptions = {k: list(v) for k, v in (subscriptions or {}).items()}
        self.listed_for: list[str] = []
        self.session_requests: list[PortalSessionRequest] = []
        self.failure: Exception | None = None
        self.list_error: Exception | None = None
        self.session_error: Exception | None = None
        self._ids = itertools.count(1)

    async def list_subscriptions(self, customer_id: str) -> list[Subscription]:
        self.listed_for.append(customer_id)
        if (error := self.failure or self.list_error) is not None:
            raise error
        return list(self.subscriptions.get(customer_id, []))

    async def create_portal_session(self, request: PortalSessionRequest) -> PortalSession:
        if self.failure is not None:
            raise self.failure
        self.session_requests.append(request)
        if self.session_error is not None:
            raise self.session_error
        number = next(self._ids)
        return PortalSession(f"bps_{number}", f"https://billing.stripe.test/p/session_{number}")
