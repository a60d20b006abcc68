"""The HTTP app under test, its settings, and operator set-up steps."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from dishka import AsyncContainer
from jwt_tokens import AUDIENCE, HS_SECRET, ISSUER
from litestar import Litestar
from litestar.testing import AsyncTestClient
from tests.fakes import FakeBillingProvider, FakePortalConfigurationProvider, FakeStripeFamily

from application.api_keys.create_api_key import CreateApiKey
from application.api_keys.revoke_api_key import RevokeApiKey
from application.configs.apply_configurations import ApplyConfigurations
from application.customers.link_customer import LinkCustomer, LinkCustomerRequest
from entrypoints.ioc import create_container
from entrypoints.settings import Settings, load_settings

CATALOG = Path(__file__).resolve().parents[3] / "portal-configurations.toml"
APP_BASE_URL = "https://app.example.test"
RATE_LIMIT = 3

PortalFactory = Callable[..., AbstractAsyncContextManager["Portal"]]


def portal_settings(database_url: str, **overrides: str) -> Settings:
    env = {
        "PORTAL_ENV": "development",
        "PORTAL_DATABASE_URL": database_url,
        "STRIPE_SECRET_KEY": "sk_test_not_used_the_provider_is_faked",
        "PORTAL_CATALOG_PATH": str(CATALOG),
        "PORTAL_APP_BASE_URL": APP_BASE_URL,
        "PORTAL_RETURN_PATHS": "/billing,/settings/billing",
        "PORTAL_JWT_SECRET": HS_SECRET,
        "PORTAL_SESSION_SECRET": "http-tests-page-session-secret-of-32-bytes",
        "PORTAL_JWT_ISSUER": ISSUER,
        "PORTAL_JWT_AUDIENCE": AUDIENCE,
        "PORTAL_RATE_LIMIT": str(RATE_LIMIT),
        "PORTAL_LOG_LEVEL": "WARNING",
        **overrides,
    }
    return load_settings(env)


@dataclass
class Portal:
    """The app under test, its settings, and set-up steps run as an operator would.

    The test client serves the app on its own event loop, so set-up goes through a
    container of its own (same settings, same fakes), never the app's.
    """

    client: AsyncTestClient[Litestar]
    settings: Settings
    billing: FakeBillingProvider
    configurations: FakePortalConfigurationProvider

    def fake_stripe(self) -> FakeStripeFamily:
        """The override provider that puts this portal's fakes in place of Stripe."""
        return FakeStripeFamily(self.billing, self.configurations)

    @asynccontextmanager
    async def _request(self) -> AsyncIterator[AsyncContainer]:
        container = create_container(self.settings, self.fake_stripe())
        try:
            async with container() as request:
                yield request
        finally:
            await container.close()

    async def apply_catalog(self) -> None:
        """`billing-portal configs apply`, as an operator does before going live."""
        async with self._request() as request:
            await (await request.get(ApplyConfigurations)).execute()

    async def link(self, user_id: str, customer_id: str, segment: str = "b2c") -> None:
        """`billing-portal customers link`."""
        async with self._request() as request:
            use_case = await request.get(LinkCustomer)
            await use_case.execute(LinkCustomerRequest(user_id, customer_id, segment))

    async def create_api_key(self, name: str = "host app") -> tuple[str, str]:
        """`billing-portal api-keys create`: the key's id and the key itself."""
        async with self._request() as request:
            issued = await (await request.get(CreateApiKey)).execute(name)
        return issued.record.id, issued.key

    async def revoke_api_key(self, key_id: str) -> None:
        """`billing-portal api-keys revoke`."""
        async with self._request() as request:
            await (await request.get(RevokeApiKey)).execute(key_id)
