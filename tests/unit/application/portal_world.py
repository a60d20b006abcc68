"""Every port of OpenBillingPortal faked, with a catalog and mappings like the shipped ones."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.fakes import (
    FakeBillingProvider,
    FakeClock,
    FakeConfigurationMappings,
    FakeCustomerDirectory,
    FakePortalAccessAudit,
    FakePortalCatalog,
    FakeRateLimiter,
    FakeTransactionManager,
)
from tests.unit.builders import CUSTOMER_ID, NOW, a_customer, applied

from application.open_portal import (
    OpenBillingPortal,
    OpenPortalRequest,
    OpenPortalResult,
    PortalAccessSettings,
)
from domain.capabilities import ConfigurationCapabilities
from domain.customer import Customer
from domain.portal_policy import PortalPolicy
from domain.return_url import ReturnUrlPolicy
from domain.subscription import Subscription

APP = "https://app.example.com"
PLANS = frozenset({"price_monthly", "price_yearly"})
FULL = ConfigurationCapabilities(
    payment_method_update=True,
    subscription_cancel=True,
    subscription_update=True,
    updatable_prices=PLANS,
    invoice_history=True,
    quantity_updates=True,
)
RESTRICTED = ConfigurationCapabilities(
    payment_method_update=True, subscription_cancel=True, invoice_history=True
)
PAYMENT_METHODS_ONLY = ConfigurationCapabilities(payment_method_update=True, invoice_history=True)
CATALOG = {
    "b2c": FULL,
    "b2b": FULL,
    "b2c_restricted": RESTRICTED,
    "b2b_restricted": RESTRICTED,
    "payment_methods_only": PAYMENT_METHODS_ONLY,
}


@dataclass
class PortalWorld:
    customers: FakeCustomerDirectory = field(
        default_factory=lambda: FakeCustomerDirectory(a_customer())
    )
    provider: FakeBillingProvider = field(default_factory=FakeBillingProvider)
    mappings: FakeConfigurationMappings = field(
        default_factory=lambda: FakeConfigurationMappings(*(applied(n) for n in CATALOG))
    )
    catalog: FakePortalCatalog = field(default_factory=lambda: FakePortalCatalog(dict(CATALOG)))
    audit: FakePortalAccessAudit = field(default_factory=FakePortalAccessAudit)
    limiter: FakeRateLimiter = field(default_factory=FakeRateLimiter)
    clock: FakeClock = field(default_factory=lambda: FakeClock(NOW))
    app_base_url: str = APP
    rate_limit: int = 10
    provider_deadline_seconds: float = 15.0

    def __post_init__(self) -> None:
        self.transaction = FakeTransactionManager(self.customers, self.audit)

    def has(self, *subscriptions: Subscription, customer_id: str = CUSTOMER_ID) -> None:
        self.provider.subscriptions[customer_id] = list(subscriptions)

    def link(self, customer: Customer) -> None:
        self.customers.committed[customer.user_id] = customer

    def use_case(self) -> OpenBillingPortal:
        settings = PortalAccessSettings(
            PortalPolicy(),
            ReturnUrlPolicy(self.app_base_url, allowed_paths=("/billing", "/settings/billing")),
            rate_limit=self.rate_limit,
            rate_window_seconds=60,
            provider_deadline_seconds=self.provider_deadline_seconds,
        )
        return OpenBillingPortal(
            self.customers,
            self.provider,
            self.provider,
            self.mappings,
            self.catalog,
            self.audit,
            self.limiter,
            self.clock,
            self.transaction,
            settings,
        )

    async def open(self, user_id: str = "user_1", **kwargs: object) -> OpenPortalResult:
        request = OpenPortalRequest(user_id, **kwargs)  # type: ignore[arg-type]
        return await self.use_case().execute(request)
