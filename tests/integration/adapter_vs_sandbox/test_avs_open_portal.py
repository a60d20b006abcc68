"""``OpenBillingPortal`` with every real adapter: the seeded sandbox (Stripe adapter), the
catalog applied to it, and the customer links, mappings, audit and rate limiter in a
migrated database. The session the sandbox opens uses the configuration the policy chose.
"""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from avs_catalogs import Catalogs
from avs_support import catalog_for_seed, configurations, prices_by_lookup_key
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters.catalog.toml_catalog import load_catalog
from adapters.clock import SystemClock
from adapters.persistence import (
    SqlaConfigurationMappings,
    SqlaCustomerDirectory,
    SqlaPortalAccessAudit,
    SqlaRateLimiter,
    SqlaTransactionManager,
)
from adapters.persistence.tables import portal_access_audit
from adapters.stripe import StripeBillingProvider
from application.errors import ConfigurationNotApplied
from application.open_portal import (
    OpenBillingPortal,
    OpenPortalRequest,
    OpenPortalResult,
    PortalAccessSettings,
)
from domain.catalog import Catalog
from domain.customer import Customer
from domain.portal_decision import DecisionReason
from domain.portal_flow import FlowRequest, FlowType
from domain.portal_policy import PortalPolicy
from domain.return_url import ReturnUrlPolicy
from stripe_sandbox.seed import DemoRecord
from stripe_sandbox.testing import RunningSandbox

APP = "http://app.example"
SETTINGS = PortalAccessSettings(
    policy=PortalPolicy(), return_urls=ReturnUrlPolicy(APP), rate_limit=100
)


class Portal:
    """The use case, built per call on a fresh session, as the app's request scope does."""

    def __init__(
        self,
        catalog: Catalog,
        provider: StripeBillingProvider,
        engine: AsyncEngine,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        self.catalog, self.provider, self.sessions = catalog, provider, sessions
        self.limiter = SqlaRateLimiter(engine)

    async def open(self, request: OpenPortalRequest) -> OpenPortalResult:
        async with self.sessions() as session:
            return await OpenBillingPortal(
                SqlaCustomerDirectory(session),
                self.provider,
                self.provider,
                SqlaConfigurationMappings(session),
                self.catalog,
                SqlaPortalAccessAudit(session),
                self.limiter,
                SystemClock(),
                SqlaTransactionManager(session),
                SETTINGS,
            ).execute(request)

    async def provider_ids(self) -> dict[str, str]:
        async with self.sessions() as session:
            return {m.name: m.provider_id for m in await SqlaConfigurationMappings(session).list()}

    async def audit(self, user_id: str) -> list[dict[str, object]]:
        async with self.sessions() as session:
            rows = await session.execute(
                select(portal_access_audit).where(portal_access_audit.c.user_id == user_id)
            )
            return [dict(row._mapping) for row in rows]


@pytest.fixture
async def portal(
    catalogs: Catalogs,
    sandbox: RunningSandbox,
    demo: dict[str, DemoRecord],
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
) -> Portal:
    """The catalog applied to the seeded sandbox and every demo user linked."""
    path = catalogs.write(catalog_for_seed(sandbox.store))
    await catalogs.apply(path)
    async with session_factory() as session:
        directory = SqlaCustomerDirectory(session)
        for record in demo.values():
            await directory.save(
                Customer(record.user_id, record.customer_id, record.segment, record.email)
            )
        await session.commit()
    return Portal(load_catalog(path), catalogs.provider, engine, session_factory)


def _stored_session(sandbox: RunningSandbox, url: str | None) -> dict[str, object]:
    (session,) = [
        s
        for s in sandbox.store.snapshot().table("billing_portal.session").values()
        if s["url"] == url
    ]
    return session


@pytest.mark.parametrize(
    ("user_id", "configuration", "reason"),
    [
        ("user_b2c", "b2c", DecisionReason.SEGMENT),
        ("user_enterprise", "b2b", DecisionReason.SEGMENT),
        ("user_b2b", "b2b_restricted", DecisionReason.TENURE_RESTRICTED),
        ("user_two_subs", "payment_methods_only", DecisionReason.MULTIPLE_SUBSCRIPTIONS),
        ("user_cancel_scheduled", "b2c", DecisionReason.SEGMENT),
    ],
)
async def test_the_session_uses_the_applied_configuration_the_policy_chose(
    user_id: str,
    configuration: str,
    reason: DecisionReason,
    portal: Portal,
    sandbox: RunningSandbox,
    demo: dict[str, DemoRecord],
) -> None:
    result = await portal.open(OpenPortalRequest(user_id, locale="en-GB"))

    assert result.configuration == configuration
    assert result.decision.reason is reason
    session = _stored_session(sandbox, result.url)
    provider_id = (await portal.provider_ids())[configuration]
    assert session["configuration"] == provider_id
    assert configurations(sandbox.store)[provider_id]["metadata"]["portal_catalog_name"] == (
        configuration
    )
    assert session["customer"] == demo[user_id].customer_id
    assert session["locale"] == "en-GB"
    assert str(session["return_url"]).startswith(f"{APP}/billing?")
    assert "action=portal_return" in str(session["return_url"])
    assert result.url is not None
    async with httpx.AsyncClient() as http:
        assert (await http.get(result.url)).status_code == 200
    (audited,) = await portal.audit(user_id)
    assert (audited["outcome"], audited["configuration"], audited["portal_session_id"]) == (
        "portal",
        configuration,
        session["id"],
    )


async def test_an_overdue_customer_is_deep_linked_to_update_the_card(
    portal: Portal, sandbox: RunningSandbox
) -> None:
    result = await portal.open(OpenPortalRequest("user_past_due"))

    assert result.decision.reason is DecisionReason.PAYMENT_OVERDUE
    assert result.configuration == "b2c"
    session = _stored_session(sandbox, result.url)
    flow = session["flow"]
    assert isinstance(flow, dict)
    assert flow["type"] == "payment_method_update"
    assert flow["after_completion"]["redirect"]["return_url"] == session["return_url"]
    assert session["configuration"] == (await portal.provider_ids())["b2c"]


async def test_a_requested_plan_change_opens_the_confirm_flow_for_that_price(
    portal: Portal, sandbox: RunningSandbox
) -> None:
    pro_monthly = prices_by_lookup_key(sandbox.store)["pro_monthly"]["id"]

    result = await portal.open(
        OpenPortalRequest(
            "user_b2c",
            flow=FlowRequest(FlowType.SUBSCRIPTION_UPDATE_CONFIRM, price_id=pro_monthly),
        )
    )

    session = _stored_session(sandbox, result.url)
    flow = session["flow"]
    assert isinstance(flow, dict)
    (item,) = flow["subscription_update_confirm"]["items"]
    assert item["price"] == pro_monthly
    assert result.flow is not None
    assert item["id"] == result.flow.item_id
    assert flow["subscription_update_confirm"]["subscription"] == result.flow.subscription_id


async def test_an_incomplete_subscription_is_sent_to_its_invoice_on_the_sandbox(
    portal: Portal, sandbox: RunningSandbox
) -> None:
    result = await portal.open(OpenPortalRequest("user_incomplete"))

    assert result.decision.reason is DecisionReason.INCOMPLETE_PAYMENT
    assert result.url is None
    assert result.redirect_to is not None
    assert result.redirect_to.startswith(f"{sandbox.url}/invoices/")
    async with httpx.AsyncClient() as http:
        assert (await http.get(result.redirect_to)).status_code == 200
    assert sandbox.store.snapshot().table("billing_portal.session") == {}


@pytest.mark.parametrize(
    ("user_id", "path"),
    [("user_canceled", "/reactivate"), ("user_no_sub", "/pricing")],
)
async def test_customers_without_a_live_subscription_are_sent_back_to_the_app(
    user_id: str, path: str, portal: Portal, sandbox: RunningSandbox
) -> None:
    result = await portal.open(OpenPortalRequest(user_id))

    assert result.redirect_to == f"{APP}{path}"
    assert sandbox.store.snapshot().table("billing_portal.session") == {}


async def test_a_deactivated_configuration_is_refused_before_asking_stripe(
    portal: Portal, sandbox: RunningSandbox
) -> None:
    """The mapping says the configuration was removed from the catalog: nothing opens."""
    async with portal.sessions() as session:
        mappings = SqlaConfigurationMappings(session)
        applied = await mappings.get("b2c")
        assert applied is not None
        await mappings.save(replace(applied, active=False))
        await session.commit()

    with pytest.raises(ConfigurationNotApplied):
        await portal.open(OpenPortalRequest("user_b2c"))

    assert sandbox.store.snapshot().table("billing_portal.session") == {}
