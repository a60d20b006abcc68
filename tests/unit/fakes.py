"""Hand-written, in-memory fakes of every port in ``application.ports``.

Repositories keep their writes pending until ``FakeTransactionManager.commit()`` (as a real
unit of work would), so a test can tell "recorded and committed" from "recorded, then
rolled back". Each fake subclasses its port, so mypy proves it still fits.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tests.unit.builders import NOW

from application.ports.access_audit import PortalAccessAudit, PortalAccessRecord
from application.ports.billing_provider import BillingProvider, PortalSession, PortalSessionRequest
from application.ports.clock import Clock
from application.ports.configuration_mappings import ConfigurationMapping, ConfigurationMappings
from application.ports.customer_directory import CustomerDirectory
from application.ports.portal_catalog import PortalCatalog
from application.ports.portal_configuration_provider import (
    PortalConfigurationProvider,
    ProviderConfiguration,
    ProviderPrice,
)
from application.ports.rate_limiter import RateLimiter, RateLimitVerdict
from application.ports.transaction_manager import TransactionManager
from domain.capabilities import ConfigurationCapabilities
from domain.customer import Customer
from domain.subscription import Subscription


class _Transactional:
    """Writes stay pending until the transaction manager commits them."""

    def _commit(self) -> None: ...

    def _rollback(self) -> None: ...


class FakeTransactionManager(TransactionManager):
    def __init__(self, *participants: _Transactional) -> None:
        self.participants = list(participants)
        self.log: list[str] = []  # "commit" / "rollback", in call order

    @property
    def commits(self) -> int:
        return self.log.count("commit")

    async def commit(self) -> None:
        self.log.append("commit")
        for participant in self.participants:
            participant._commit()

    async def rollback(self) -> None:
        self.log.append("rollback")
        for participant in self.participants:
            participant._rollback()


class FakeCustomerDirectory(CustomerDirectory, _Transactional):
    def __init__(self, *customers: Customer) -> None:
        self.committed: dict[str, Customer] = {c.user_id: c for c in customers}
        self._pending: dict[str, Customer] = {}

    def _view(self) -> dict[str, Customer]:
        return {**self.committed, **self._pending}

    async def get(self, user_id: str) -> Customer | None:
        return self._view().get(user_id)

    async def get_by_stripe_customer_id(self, stripe_customer_id: str) -> Customer | None:
        matches = [c for c in self._view().values() if c.stripe_customer_id == stripe_customer_id]
        return matches[0] if matches else None

    async def save(self, customer: Customer) -> None:
        self._pending[customer.user_id] = customer

    def _commit(self) -> None:
        self.committed.update(self._pending)
        self._pending.clear()

    def _rollback(self) -> None:
        self._pending.clear()


class FakePortalAccessAudit(PortalAccessAudit, _Transactional):
    def __init__(self) -> None:
        self.committed: list[PortalAccessRecord] = []
        self._pending: list[PortalAccessRecord] = []

    async def record(self, entry: PortalAccessRecord) -> None:
        self._pending.append(entry)

    def _commit(self) -> None:
        self.committed.extend(self._pending)
        self._pending.clear()

    def _rollback(self) -> None:
        self._pending.clear()


class FakeBillingProvider(BillingProvider):
    """Subscriptions by customer id; sessions are recorded. Set ``*_error`` to fail a call."""

    def __init__(self, subscriptions: Mapping[str, Sequence[Subscription]] | None = None) -> None:
        self.subscriptions = {k: list(v) for k, v in (subscriptions or {}).items()}
        self.listed_for: list[str] = []
        self.session_requests: list[PortalSessionRequest] = []
        self.list_error: Exception | None = None
        self.session_error: Exception | None = None
        self._ids = itertools.count(1)

    async def list_subscriptions(self, customer_id: str) -> list[Subscription]:
        self.listed_for.append(customer_id)
        if self.list_error is not None:
            raise self.list_error
        return list(self.subscriptions.get(customer_id, []))

    async def create_portal_session(self, request: PortalSessionRequest) -> PortalSession:
        self.session_requests.append(request)
        if self.session_error is not None:
            raise self.session_error
        number = next(self._ids)
        return PortalSession(f"bps_{number}", f"https://billing.stripe.test/p/session_{number}")


class FakePortalConfigurationProvider(PortalConfigurationProvider):
    """Configurations and prices in memory; a reused idempotency key replays the first result."""

    def __init__(
        self,
        configurations: Sequence[ProviderConfiguration] = (),
        prices: Sequence[ProviderPrice] = (),
    ) -> None:
        self.configurations = {c.id: c for c in configurations}
        self.prices = {p.id: p for p in prices}
        self.writes: list[tuple[str, str | None, Mapping[str, object]]] = []
        self._replays: dict[str, ProviderConfiguration] = {}
        self._ids = itertools.count(1)

    async def list_configurations(self) -> list[ProviderConfiguration]:
        return list(self.configurations.values())

    async def create_configuration(
        self, params: Mapping[str, object], *, idempotency_key: str
    ) -> ProviderConfiguration:
        if idempotency_key in self._replays:
            return self._replays[idempotency_key]
        self.writes.append(("create", None, params))
        created = self._store(f"bpc_{next(self._ids)}", params, active=True)
        self._replays[idempotency_key] = created
        return created

    async def update_configuration(
        self, configuration_id: str, params: Mapping[str, object], *, idempotency_key: str
    ) -> ProviderConfiguration:
        if idempotency_key in self._replays:
            return self._replays[idempotency_key]
        if configuration_id not in self.configurations:
            raise KeyError(f"no configuration {configuration_id!r}")
        self.writes.append(("update", configuration_id, params))
        current = self.configurations[configuration_id]
        merged = {**current.fields, **{k: v for k, v in params.items() if k != "metadata"}}
        updated = self._store(
            configuration_id, merged, active=current.active, metadata=current.metadata
        )
        self._replays[idempotency_key] = updated
        return updated

    def _store(
        self,
        configuration_id: str,
        params: Mapping[str, object],
        *,
        active: bool,
        metadata: Mapping[str, str] | None = None,
    ) -> ProviderConfiguration:
        new_metadata = params.get("metadata")
        meta = dict(metadata or {})
        if isinstance(new_metadata, Mapping):
            meta.update({str(k): str(v) for k, v in new_metadata.items()})
        flag = params.get("active", active)
        fields = {k: v for k, v in params.items() if k not in {"metadata", "active"}}
        stored = ProviderConfiguration(configuration_id, bool(flag), meta, fields)
        self.configurations[configuration_id] = stored
        return stored

    async def get_prices(self, price_ids: Sequence[str]) -> list[ProviderPrice]:
        return [self.prices[i] for i in price_ids if i in self.prices]

    async def find_prices_by_lookup_keys(self, lookup_keys: Sequence[str]) -> list[ProviderPrice]:
        return [p for p in self.prices.values() if p.active and p.lookup_key in lookup_keys]


class FakeConfigurationMappings(ConfigurationMappings):
    def __init__(self, *mappings: ConfigurationMapping) -> None:
        self.by_name = {m.name: m for m in mappings}

    async def get(self, name: str) -> ConfigurationMapping | None:
        return self.by_name.get(name)

    async def list(self) -> list[ConfigurationMapping]:
        return sorted(self.by_name.values(), key=lambda m: m.name)

    async def save(self, mapping: ConfigurationMapping) -> None:
        self.by_name[mapping.name] = mapping


def applied(name: str, *, active: bool = True) -> ConfigurationMapping:
    """A mapping as `configs apply` leaves it: the provider id derives from the name."""
    return ConfigurationMapping(name, f"bpc_{name}", f"fp_{name}", active, NOW)


@dataclass
class FakePortalCatalog(PortalCatalog):
    declared: dict[str, ConfigurationCapabilities] = field(default_factory=dict)

    def capabilities(self, name: str) -> ConfigurationCapabilities | None:
        return self.declared.get(name)


@dataclass
class FakeRateLimiter(RateLimiter):
    """A fixed-window counter, as the real limiter documents it."""

    counts: dict[tuple[str, int], int] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    async def hit(
        self, key: str, *, limit: int, window_seconds: int, now: datetime
    ) -> RateLimitVerdict:
        self.hits.append(key)
        window = int(now.timestamp()) // window_seconds
        count = self.counts[key, window] = self.counts.get((key, window), 0) + 1
        if count <= limit:
            return RateLimitVerdict(allowed=True)
        retry_after = (window + 1) * window_seconds - int(now.timestamp())
        return RateLimitVerdict(allowed=False, retry_after_seconds=retry_after)


@dataclass
class FakeClock(Clock):
    current: datetime = NOW

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta
