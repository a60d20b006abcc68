"""An in-memory billing provider (subscriptions, portal sessions, configurations)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
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
from domain.calendar import add_months
from domain.subscription import (
    RecurringInterval,
    Subscription,
    SubscriptionItem,
    SubscriptionStatus,
)

_ids = itertools.count(1)


@dataclass
class FakeBillingProvider(BillingProvider, PortalConfigurationProvider):
    """Holds subscriptions per customer; ``failure`` is raised by every call when set."""

    subscriptions: dict[str, list[Subscription]] = field(default_factory=dict)
    sessions: list[PortalSessionRequest] = field(default_factory=list)
    configurations: dict[str, ProviderConfiguration] = field(default_factory=dict)
    prices: dict[str, ProviderPrice] = field(default_factory=dict)
    failure: Exception | None = None

    def _check(self) -> None:
        if self.failure is not None:
            raise self.failure

    async def list_subscriptions(self, customer_id: str) -> list[Subscription]:
        self._check()
        return list(self.subscriptions.get(customer_id, []))

    async def create_portal_session(self, request: PortalSessionRequest) -> PortalSession:
        self._check()
        self.sessions.append(request)
        session_id = f"bps_{next(_ids)}"
        return PortalSession(session_id, f"https://billing.example.test/p/session/{session_id}")

    async def list_configurations(self) -> list[ProviderConfiguration]:
        self._check()
        return list(self.configurations.values())

    async def create_configuration(
        self, params: Mapping[str, object], *, idempotency_key: str
    ) -> ProviderConfiguration:
        self._check()
        created = _configuration(f"bpc_{next(_ids)}", params)
        self.configurations[created.id] = created
        return created

    async def update_configuration(
        self, configuration_id: str, params: Mapping[str, object], *, idempotency_key: str
    ) -> ProviderConfiguration:
        self._check()
        current = self.configurations[configuration_id]
        updated = _configuration(configuration_id, {**current.fields, **params})
        self.configurations[configuration_id] = replace(updated, is_default=current.is_default)
        return updated

    async def get_prices(self, price_ids: Sequence[str]) -> list[ProviderPrice]:
        self._check()
        known = self.prices
        return [
            known.get(pid)
            or ProviderPrice(pid, "prod_demo_" + pid.split("_")[1], True, True, False)
            for pid in price_ids
        ]

    async def find_prices_by_lookup_keys(self, lookup_keys: Sequence[str]) -> list[ProviderPrice]:
        """Every key names a licensed monthly/yearly price of ``prod_demo_<first word>``."""
        self._check()
        return [
            ProviderPrice(f"price_{key}", "prod_demo_" + key.split("_")[0], True, True, False, key)
            for key in lookup_keys
        ]


def _configuration(config_id: str, params: Mapping[str, object]) -> ProviderConfiguration:
    metadata = params.get("metadata") or {}
    assert isinstance(metadata, Mapping)
    return ProviderConfiguration(
        id=config_id,
        active=bool(params.get("active", True)),
        metadata={str(k): str(v) for k, v in metadata.items()},
        fields=dict(params),
    )


class FakeBillingFamily(Provider):
    """Replaces the Stripe provider family with ``fake``."""

    def __init__(self, fake: FakeBillingProvider) -> None:
        super().__init__(scope=Scope.APP)
        self._fake = fake

    @provide
    def billing(self) -> AnyOf[BillingProvider, PortalConfigurationProvider]:
        return self._fake


def a_subscription(
    customer_id: str,
    *,
    status: str = "active",
    started_months_ago: int = 12,
    yearly: bool = False,
    price_id: str = "price_basic_monthly",
    quantity: int = 1,
    latest_invoice_url: str | None = None,
    ended: bool = False,
) -> Subscription:
    """A one-item subscription measured from the real clock (the app uses SystemClock)."""
    now = datetime.now(UTC)
    start = add_months(now, -started_months_ago)
    months = 12 if yearly else 1
    period_start = start
    while add_months(period_start, months) <= now:
        period_start = add_months(period_start, months)
    period_end = add_months(period_start, months)
    if ended:
        period_end = now - timedelta(days=1)
    sub_id = f"sub_{next(_ids)}"
    item = SubscriptionItem(
        id=f"si_{sub_id}",
        price_id=price_id,
        product_id="prod_demo_basic",
        quantity=quantity,
        interval=RecurringInterval.YEAR if yearly else RecurringInterval.MONTH,
        current_period_start=period_start,
        current_period_end=period_end,
    )
    return Subscription(
        id=sub_id,
        customer_id=customer_id,
        status=SubscriptionStatus.parse(status),
        created=start,
        start_date=start,
        items=(item,),
        ended_at=period_end if ended else None,
        latest_invoice_url=latest_invoice_url,
        raw_status=status,
    )
