"""OpenBillingPortal against fakes of every port: what the caller gets, what Stripe is asked,
what the audit keeps."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from tests.fakes import FakeBillingProvider
from tests.unit.application.portal_world import APP, PortalWorld
from tests.unit.builders import NOW, a_customer, a_subscription, a_yearly_subscription, applied

from application.errors import (
    BillingAccountGone,
    ConfigurationNotApplied,
    InvalidRequest,
    NoBillingAccount,
    ProviderUnavailable,
    RateLimited,
)
from application.ports.billing_provider import PortalSession, PortalSessionRequest
from domain.capabilities import ConfigurationCapabilities
from domain.portal_flow import FlowRequest, FlowType, PortalFlow
from domain.subscription import Subscription

RETURN = f"{APP}/billing?action=portal_return"
INVOICE_URL = "https://invoice.stripe.com/i/acct_1/test_abc"


@pytest.fixture
def world() -> PortalWorld:
    return PortalWorld()


async def test_opens_the_segment_portal_for_the_customer_in_our_database(
    world: PortalWorld,
) -> None:
    world.has(a_subscription())

    result = await world.open(request_id="req-1", client_address="203.0.113.9", user_agent="UA/1")

    assert result.url == "https://billing.stripe.test/p/session_1"
    assert (result.configuration, result.flow, result.redirect_to) == ("b2c", None, None)
    assert world.provider.listed_for == ["cus_TEST1"]
    assert world.provider.session_requests == [
        PortalSessionRequest("cus_TEST1", "bpc_b2c", RETURN, flow=None, locale=None)
    ]
    [entry] = world.audit.committed
    assert (entry.outcome, entry.decision, entry.configuration) == ("portal", "segment", "b2c")
    assert (entry.user_id, entry.stripe_customer_id, entry.portal_session_id) == (
        "user_1",
        "cus_TEST1",
        "bps_1",
    )
    assert (entry.request_id, entry.client_address, entry.user_agent) == (
        "req-1",
        "203.0.113.9",
        "UA/1",
    )
    assert entry.occurred_at == NOW
    assert world.transaction.log == ["commit", "commit"]  # the reads, then the audit


async def test_each_user_gets_their_own_customer(world: PortalWorld) -> None:
    world.link(a_customer(user_id="user_2", stripe_customer_id="cus_OTHER", segment="b2b"))
    world.has(a_subscription())
    world.has(a_subscription(id="sub_2", customer_id="cus_OTHER"), customer_id="cus_OTHER")

    await world.open("user_2")

    assert world.provider.listed_for == ["cus_OTHER"]
    assert [r.customer_id for r in world.provider.session_requests] == ["cus_OTHER"]
    assert world.provider.session_requests[0].configuration_id == "bpc_b2b"


@pytest.mark.parametrize(
    ("subscriptions", "redirect_to", "reason"),
    [
        pytest.param([], f"{APP}/pricing", "never_subscribed", id="never-subscribed"),
        pytest.param(
            [a_subscription(status="incomplete", latest_invoice_url=INVOICE_URL)],
            INVOICE_URL,
            "incomplete_payment",
            id="incomplete-hosted-invoice",
        ),
        pytest.param(
            [a_subscription(id="sub_7", status="incomplete")],
            f"{APP}/billing/complete-payment?subscription=sub_7",
            "incomplete_payment",
            id="incomplete-app-path",
        ),
        pytest.param(
            [a_subscription(status="canceled", period_end=NOW - timedelta(days=2))],
            f"{APP}/reactivate",
            "subscriptions_ended",
            id="ended",
        ),
    ],
)
async def test_redirect_outcomes_open_no_session_and_are_audited(
    world: PortalWorld, subscriptions: list[object], redirect_to: str, reason: str
) -> None:
    world.has(*subscriptions)  # type: ignore[arg-type]

    result = await world.open(
        return_path="/settings/billing", flow=FlowRequest(FlowType.PAYMENT_METHOD_UPDATE)
    )

    assert (result.redirect_to, result.url) == (redirect_to, None)
    assert result.decision.reason.value == reason
    assert world.provider.session_requests == []
    [entry] = world.audit.committed
    assert (entry.outcome, entry.decision, entry.stripe_customer_id) == (
        "redirect",
        reason,
        "cus_TEST1",
    )
    assert world.transaction.log == ["commit"]


async def test_app_paths_keep_the_base_url_path_prefix_like_return_urls() -> None:
    world = PortalWorld(app_base_url="https://example.com/app/")

    never = await world.open()
    world.has(a_subscription())
    opened = await world.open()

    assert never.redirect_to == "https://example.com/app/pricing"
    assert opened.url is not None
    assert (
        world.provider.session_requests[0].return_url
        == "https://example.com/app/billing?action=portal_return"
    )


async def test_overdue_payment_deep_links_to_payment_method_update(world: PortalWorld) -> None:
    world.has(a_subscription(status="past_due"))

    result = await world.open()

    assert result.flow == PortalFlow(FlowType.PAYMENT_METHOD_UPDATE)
    assert world.provider.session_requests[0].flow == PortalFlow(FlowType.PAYMENT_METHOD_UPDATE)
    assert world.audit.committed[0].flow == "payment_method_update"


async def test_requested_flow_overrides_the_default_one(world: PortalWorld) -> None:
    world.has(a_subscription(id="sub_late", status="past_due"))

    result = await world.open(flow=FlowRequest(FlowType.SUBSCRIPTION_CANCEL))

    assert result.flow == PortalFlow(FlowType.SUBSCRIPTION_CANCEL, subscription_id="sub_late")
    assert world.provider.session_requests[0].flow == result.flow


async def test_default_flow_the_configuration_cannot_do_opens_the_portal_home(
    world: PortalWorld,
) -> None:
    world.catalog.declared["b2c"] = ConfigurationCapabilities(subscription_cancel=True)
    world.has(a_subscription(status="unpaid"))

    result = await world.open()

    assert (result.configuration, result.flow) == ("b2c", None)
    assert world.provider.session_requests[0].flow is None


async def test_several_subscriptions_get_payment_methods_only_and_a_marked_return_url(
    world: PortalWorld,
) -> None:
    world.has(a_subscription(id="sub_a"), a_subscription(id="sub_b"))

    result = await world.open(return_path="/billing?tab=plans")

    assert result.configuration == "payment_methods_only"
    assert world.provider.session_requests[0].configuration_id == "bpc_payment_methods_only"
    assert world.provider.session_requests[0].return_url == (
        f"{APP}/billing?tab=plans&action=portal_return&multiple_subscriptions=true"
    )


async def test_update_confirm_reaches_the_provider_with_item_and_price(world: PortalWorld) -> None:
    world.has(a_subscription(id="sub_1", price_id="price_monthly"))

    await world.open(
        flow=FlowRequest(FlowType.SUBSCRIPTION_UPDATE_CONFIRM, price_id="price_yearly"),
        locale="fr-ca",
    )

    [sent] = world.provider.session_requests
    assert sent.flow == PortalFlow(
        FlowType.SUBSCRIPTION_UPDATE_CONFIRM, "sub_1", "si_sub_1", "price_yearly"
    )
    assert sent.locale == "fr-CA"


async def test_plan_change_inside_the_tenure_window_is_refused(world: PortalWorld) -> None:
    world.has(a_yearly_subscription(months_old=2))

    with pytest.raises(InvalidRequest) as refused:
        await world.open(flow=FlowRequest(FlowType.SUBSCRIPTION_UPDATE))

    assert refused.value.field == "flow"
    assert "'b2c_restricted'" in refused.value.message
    assert world.provider.session_requests == []
    [entry] = world.audit.committed
    assert (entry.outcome, entry.decision, entry.configuration, entry.flow) == (
        "refused",
        "FlowNotAllowed",
        "b2c_restricted",
        "subscription_update",
    )


@pytest.mark.parametrize(
    ("kwargs", "field", "decision"),
    [
        pytest.param(
            {"return_path": "//evil.com"}, "return_path", "InvalidReturnPath", id="return-path"
        ),
        pytest.param(
            {"return_path": "https://evil.com/billing"},
            "return_path",
            "InvalidReturnPath",
            id="absolute",
        ),
        pytest.param({"locale": "xx-YY"}, "locale", "UnsupportedLocale", id="locale"),
        pytest.param(
            {"flow": FlowRequest(FlowType.SUBSCRIPTION_CANCEL, subscription_id="sub_not_mine")},
            "flow.subscription_id",
            "FlowNotAllowed",
            id="foreign-subscription",
        ),
    ],
)
async def test_a_domain_refusal_becomes_invalid_request_naming_the_field(
    world: PortalWorld, kwargs: dict[str, object], field: str, decision: str
) -> None:
    world.has(a_subscription())

    with pytest.raises(InvalidRequest) as refused:
        await world.open(**kwargs)

    assert refused.value.field == field
    assert world.provider.session_requests == []
    assert [(e.outcome, e.decision) for e in world.audit.committed] == [("refused", decision)]
    assert world.transaction.log == ["rollback", "commit"]


@pytest.mark.parametrize(
    "customer",
    [
        pytest.param(None, id="unknown-user"),
        pytest.param(a_customer(stripe_customer_id=None), id="no-stripe-id"),
        pytest.param(a_customer(stripe_customer_id=""), id="empty-stripe-id"),
    ],
)
async def test_no_billing_account_never_asks_the_provider(
    world: PortalWorld, customer: object
) -> None:
    world.customers.committed.clear()
    if customer is not None:
        world.link(customer)  # type: ignore[arg-type]

    with pytest.raises(NoBillingAccount, match="'user_1' has no billing account"):
        await world.open()

    assert world.provider.listed_for == []
    assert [(e.outcome, e.decision) for e in world.audit.committed] == [
        ("refused", "NoBillingAccount")
    ]


async def test_past_the_rate_limit_the_user_is_told_when_to_retry() -> None:
    world = PortalWorld(rate_limit=2)
    world.has(a_subscription())
    await world.open()
    world.clock.advance(timedelta(seconds=15))
    await world.open()

    with pytest.raises(RateLimited) as limited:
        await world.open()

    # 2 per minute: one token back every 30 s, the first one at 30 s
    assert limited.value.retry_after_seconds == 15
    assert "15" in limited.value.message
    assert len(world.provider.session_requests) == 2
    assert [e.decision for e in world.audit.committed] == ["segment", "segment", "RateLimited"]

    world.clock.advance(timedelta(seconds=15))
    assert (await world.open()).url is not None


async def test_rate_limit_is_per_user() -> None:
    world = PortalWorld(rate_limit=1)
    world.link(a_customer(user_id="user_2"))
    world.has(a_subscription())
    await world.open("user_1")

    assert (await world.open("user_2")).url is not None
    with pytest.raises(RateLimited):
        await world.open("user_1")


async def test_support_channel_can_skip_the_rate_limit() -> None:
    world = PortalWorld(rate_limit=1)
    world.has(a_subscription())

    for _ in range(3):
        await world.open(rate_limited=False, channel="cli")

    assert len(world.provider.session_requests) == 3
    assert {e.channel for e in world.audit.committed} == {"cli"}


@pytest.mark.parametrize(
    "mapping", [None, applied("b2c", active=False)], ids=["never-applied", "deactivated"]
)
async def test_configuration_not_applied_names_it_and_the_command(
    world: PortalWorld, mapping: object
) -> None:
    del world.mappings.committed["b2c"]
    if mapping is not None:
        world.mappings.committed["b2c"] = mapping  # type: ignore[assignment]
    world.has(a_subscription())

    with pytest.raises(ConfigurationNotApplied) as missing:
        await world.open()

    assert missing.value.name == "b2c"
    assert "'b2c'" in missing.value.message
    assert "billing-portal configs apply" in missing.value.message
    assert world.provider.session_requests == []
    [entry] = world.audit.committed
    assert (entry.outcome, entry.decision, entry.configuration) == (
        "refused",
        "ConfigurationNotApplied",
        "b2c",
    )


async def test_configuration_missing_from_the_catalog_says_to_declare_it(
    world: PortalWorld,
) -> None:
    del world.catalog.declared["payment_methods_only"]
    world.has(a_subscription(id="a"), a_subscription(id="b"))

    with pytest.raises(ConfigurationNotApplied, match="not declared in the catalog file"):
        await world.open()


@pytest.mark.parametrize(
    ("failing_call", "error"),
    [
        pytest.param(
            "list_error", ProviderUnavailable("Stripe timed out"), id="listing-unavailable"
        ),
        pytest.param(
            "session_error", ProviderUnavailable("Stripe returned 503"), id="session-unavailable"
        ),
        pytest.param(
            "session_error", BillingAccountGone("No such customer: cus_TEST1"), id="account-gone"
        ),
    ],
)
async def test_provider_errors_propagate_after_the_refusal_is_audited(
    world: PortalWorld, failing_call: str, error: Exception
) -> None:
    world.has(a_subscription())
    setattr(world.provider, failing_call, error)

    with pytest.raises(type(error)) as raised:
        await world.open()

    assert raised.value is error
    [entry] = world.audit.committed
    assert (entry.outcome, entry.decision, entry.stripe_customer_id) == (
        "refused",
        type(error).__name__,
        "cus_TEST1",
    )
    reads_done = failing_call == "session_error"  # the reads were committed before the call
    assert world.transaction.log == ["commit"] * reads_done + ["rollback", "commit"]


async def test_an_unexpected_bug_is_not_dressed_up_as_a_refusal(world: PortalWorld) -> None:
    world.has(a_subscription())
    world.provider.session_error = RuntimeError("bug")

    with pytest.raises(RuntimeError):
        await world.open()

    assert world.audit.committed == []
    assert world.transaction.log == ["commit"]  # only the reads before the call


async def test_no_transaction_is_held_open_across_the_provider_call(world: PortalWorld) -> None:
    # A pooled connection kept in a transaction during Stripe's latency would cap every
    # route at pool size / latency: the reads are committed before the call.
    world.has(a_subscription())
    log_at_call: list[list[str]] = []
    create = world.provider.create_portal_session

    async def observed(request: PortalSessionRequest) -> PortalSession:
        log_at_call.append(list(world.transaction.log))
        return await create(request)

    world.provider.create_portal_session = observed  # type: ignore[method-assign]

    await world.open()

    assert log_at_call == [["commit"]]


class _HangingProvider(FakeBillingProvider):
    """Answers the reads; ``create_portal_session`` (or the list) never answers."""

    def __init__(self, *, hang_on: str) -> None:
        super().__init__()
        self.hang_on = hang_on
        self.cancelled = 0

    async def _hang(self) -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise

    async def list_subscriptions(self, customer_id: str) -> list[Subscription]:
        if self.hang_on == "list":
            await self._hang()
        return await super().list_subscriptions(customer_id)

    async def create_portal_session(self, request: PortalSessionRequest) -> PortalSession:
        if self.hang_on == "session":
            await self._hang()
        return await super().create_portal_session(request)


@pytest.mark.parametrize("hang_on", ["list", "session"])
async def test_a_provider_that_never_answers_is_given_up_at_the_deadline(hang_on: str) -> None:
    world = PortalWorld(provider=_HangingProvider(hang_on=hang_on), provider_deadline_seconds=0.2)
    world.has(a_subscription())
    started = asyncio.get_running_loop().time()

    with pytest.raises(ProviderUnavailable, match=r"did not answer within 0\.2 s"):
        await world.open()

    assert asyncio.get_running_loop().time() - started < 2.0
    assert world.provider.cancelled == 1  # the call was abandoned, not left running
    [entry] = world.audit.committed
    assert (entry.outcome, entry.decision, entry.portal_session_id) == (
        "refused",
        "ProviderUnavailable",
        None,
    )


async def test_the_deadline_is_one_budget_for_every_provider_call_of_an_attempt() -> None:
    class SlowProvider(FakeBillingProvider):
        async def list_subscriptions(self, customer_id: str) -> list[Subscription]:
            await asyncio.sleep(0.15)
            return await super().list_subscriptions(customer_id)

        async def create_portal_session(self, request: PortalSessionRequest) -> PortalSession:
            await asyncio.sleep(0.15)
            return await super().create_portal_session(request)

    world = PortalWorld(provider=SlowProvider(), provider_deadline_seconds=0.25)
    world.has(a_subscription())

    with pytest.raises(ProviderUnavailable, match="creating the portal session"):
        await world.open()  # each call fits alone; the two together do not


async def test_a_timeout_of_the_call_itself_is_not_mistaken_for_the_deadline(
    world: PortalWorld,
) -> None:
    world.has(a_subscription())
    world.provider.session_error = TimeoutError("the adapter's own")

    with pytest.raises(TimeoutError, match="the adapter's own"):
        await world.open()
