"""A small in-memory billing provider for the CLI tests."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from dishka import AnyOf, Provider, Scope, provide

from application.ports.billing_provider import (
    BillingProvider,
    PortalSession,
    PortalSessionRequest,
)
from application.ports.portal_configuration_provider import (
    PortalConfigurationProvider,
    ProviderConfiguration,
    ProviderPrice,
)
from domain.subscription import (
    RecurringInterval,
    Subscription,
    SubscriptionItem,
    SubscriptionStatus,
)

_ids = itertools.count(1)


@dataclass
class FakeBilling(BillingProvider, PortalConfigurationProvider):
    subscriptions: dict[str, list[Subscription]] = field(default_factory=dict)
    configurations: dict[str, ProviderConfiguration] = field(default_factory=dict)
    sessions: list[PortalSessionRequest] = field(default_factory=list)
    failure: Exception | None = None

    async def list_subscriptions(self, customer_id: str) -> list[Subscription]:
        if self.failure:
            raise self.failure
        return list(self.subscriptions.get(customer_id, []))

    async def create_portal_session(self, request: PortalSessionRequest) -> PortalSession:
        self.sessions.append(request)
        return PortalSession("bps_1", "https://billing.example.test/p/session/bps_1")

    async def list_configurations(self) -> list[ProviderConfiguration]:
        return list(self.configurations.values())

    async def create_configuration(
        self, params: Mapping[str, object], *, idempotency_key: str
    ) -> ProviderConfiguration:
        return self._store(f"bpc_{next(_ids)}", params)

    async def update_configuration(
        self, configuration_id: str, params: Mapping[str, object], *, idempotency_key: str
    ) -> ProviderConfiguration:
        merged = {**self.configurations[configuration_id].fields, **params}
        return self._store(configuration_id, merged)

    async def get_prices(self, price_ids: Sequence[str]) -> list[ProviderPrice]:
        return [
            ProviderPrice(p, "prod_demo_" + p.split("_")[1], True, True, False) for p in price_ids
        ]

    async def find_prices_by_lookup_keys(self, lookup_keys: Sequence[str]) -> list[ProviderPrice]:
        return [
            ProviderPrice(f"price_{key}", "prod_demo_" + key.split("_")[0], True, True, False, key)
            for key in lookup_keys
        ]

    def _store(self, config_id: str, params: Mapping[str, object]) -> ProviderConfiguration:
        metadata = params.get("metadata") or {}
        assert isinstance(metadata, Mapping)
        stored = ProviderConfiguration(
            config_id,
            bool(params.get("active", True)),
            {str(k): str(v) for k, v in metadata.items()},
            dict(params),
        )
        self.configurations[config_id] = stored
        return stored


class FakeBillingFamily(Provider):
    def __init__(self, fake: FakeBilling) -> None:
        super().__init__(scope=Scope.APP)
        self._fake = fake

    @provide
    def billing(self) -> AnyOf[BillingProvider, PortalConfigurationProvider]:
        return self._fake


def monthly_subscription(customer_id: str, status: str = "active") -> Subscription:
    now = datetime.now(UTC)
    item = SubscriptionItem(
        id="si_1",
        price_id="price_basic_monthly",
        product_id="prod_demo_basic",
        quantity=3,
        interval=RecurringInterval.MONTH,
        current_period_start=now - timedelta(days=10),
        current_period_end=now + timedelta(days=20),
    )
    start = now - timedelta(days=100)
    return Subscription(
        id=f"sub_{next(_ids)}",
        customer_id=customer_id,
        status=SubscriptionStatus.parse(status),
        created=start,
        start_date=start,
        items=(item,),
        raw_status=status,
    )
