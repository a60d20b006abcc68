"""The adapter's error translation, against the sandbox's real Stripe-shaped failures."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from avs_support import prices_by_lookup_key, settings_for

from adapters.stripe import StripeBillingProvider, open_stripe_client
from application.errors import (
    BillingAccountGone,
    ProviderMisconfigured,
    ProviderRejected,
    ProviderUnavailable,
)
from application.ports.billing_provider import PortalSessionRequest
from domain.portal_flow import FlowType, PortalFlow
from stripe_sandbox import SandboxSettings
from stripe_sandbox.seed import DemoRecord, seed_demo
from stripe_sandbox.testing import RunningSandbox, running_sandbox

RETURN_URL = "http://app.example/billing"
MINIMAL = {"features": {"invoice_history": {"enabled": True}}}

Operation = Callable[[StripeBillingProvider], Awaitable[Any]]

# Every call the adapter makes, with arguments that would otherwise succeed or be harmless.
OPERATIONS: dict[str, Operation] = {
    "list_subscriptions": lambda p: p.list_subscriptions("cus_any"),
    "create_portal_session": lambda p: p.create_portal_session(
        PortalSessionRequest("cus_any", "bpc_any", RETURN_URL)
    ),
    "list_configurations": lambda p: p.list_configurations(),
    "create_configuration": lambda p: p.create_configuration(MINIMAL, idempotency_key="avs-1"),
    "update_configuration": lambda p: p.update_configuration(
        "bpc_any", MINIMAL, idempotency_key="avs-2"
    ),
    "get_prices": lambda p: p.get_prices(["price_any"]),
}


async def _config(provider: StripeBillingProvider, features: dict[str, Any], key: str) -> str:
    return (await provider.create_configuration({"features": features}, idempotency_key=key)).id


@pytest.mark.parametrize("operation", OPERATIONS.values(), ids=OPERATIONS.keys())
async def test_a_rejected_key_is_a_misconfiguration_that_never_quotes_the_key(
    operation: Operation, sandbox: RunningSandbox
) -> None:
    wrong_key = "rk_live_avsWrongKey123"  # the sandbox accepts only sk_test_ keys
    async with open_stripe_client(settings_for(sandbox.url, wrong_key)) as client:
        with pytest.raises(ProviderMisconfigured) as caught:
            await operation(StripeBillingProvider(client))

    assert "STRIPE_SECRET_KEY" in caught.value.message
    assert wrong_key not in caught.value.message
    assert sandbox.store.snapshot().table("billing_portal.configuration") == {}


@pytest.mark.parametrize("operation", OPERATIONS.values(), ids=OPERATIONS.keys())
async def test_a_stopped_sandbox_is_unavailable(operation: Operation, tmp_path: Path) -> None:
    with running_sandbox(SandboxSettings(state_path=tmp_path / "state.json")) as gone:
        url = gone.url

    async with open_stripe_client(settings_for(url)) as client:
        with pytest.raises(ProviderUnavailable) as caught:
            await operation(StripeBillingProvider(client))

    assert "could not reach Stripe" in caught.value.message


async def test_being_rate_limited_is_unavailable_not_a_rejection(tmp_path: Path) -> None:
    settings = SandboxSettings(state_path=tmp_path / "state.json", rate_limit_per_second=1)
    with running_sandbox(settings) as limited:
        async with open_stripe_client(settings_for(limited.url)) as client:
            provider = StripeBillingProvider(client)
            await provider.list_configurations()
            with pytest.raises(ProviderUnavailable) as caught:
                await provider.list_configurations()

    assert "rate limiting" in caught.value.message


async def test_a_portal_session_for_an_unknown_customer_means_the_account_is_gone(
    provider: StripeBillingProvider, sandbox: RunningSandbox
) -> None:
    configuration = await _config(provider, {"invoice_history": {"enabled": True}}, "avs-c")

    with pytest.raises(BillingAccountGone) as caught:
        await provider.create_portal_session(
            PortalSessionRequest("cus_avsDeleted", configuration, RETURN_URL)
        )

    assert "cus_avsDeleted" in caught.value.message
    assert sandbox.store.snapshot().table("billing_portal.session") == {}


async def test_a_deleted_customer_means_the_account_is_gone(
    provider: StripeBillingProvider, sandbox: RunningSandbox
) -> None:
    configuration = await _config(provider, {"invoice_history": {"enabled": True}}, "avs-c")
    customer = sandbox.store.create_customer({"email": "gone@example.com"})["id"]
    sandbox.store.delete_customer(customer)

    with pytest.raises(BillingAccountGone):
        await provider.create_portal_session(
            PortalSessionRequest(customer, configuration, RETURN_URL)
        )


async def test_listing_an_unknown_customers_subscriptions_means_the_account_is_gone(
    provider: StripeBillingProvider, sandbox: RunningSandbox
) -> None:
    customer = sandbox.store.create_customer({"email": "gone@example.com"})["id"]
    assert await provider.list_subscriptions(customer) == []
    sandbox.store.delete_customer(customer)

    for unknown in ("cus_avsNeverExisted", customer):
        with pytest.raises(BillingAccountGone) as caught:
            await provider.list_subscriptions(unknown)

        assert unknown in caught.value.message


async def test_an_unknown_configuration_is_rejected_naming_the_param(
    provider: StripeBillingProvider, demo: dict[str, DemoRecord]
) -> None:
    with pytest.raises(ProviderRejected) as caught:
        await provider.create_portal_session(
            PortalSessionRequest(demo["user_b2c"].customer_id, "bpc_avsUnknown", RETURN_URL)
        )

    assert caught.value.param == "configuration"
    assert "bpc_avsUnknown" in caught.value.message


async def test_an_inactive_configuration_is_rejected_naming_the_param(
    provider: StripeBillingProvider, demo: dict[str, DemoRecord]
) -> None:
    configuration = await _config(provider, {"invoice_history": {"enabled": True}}, "avs-c")
    await provider.update_configuration(configuration, {"active": False}, idempotency_key="avs-off")

    with pytest.raises(ProviderRejected) as caught:
        await provider.create_portal_session(
            PortalSessionRequest(demo["user_b2c"].customer_id, configuration, RETURN_URL)
        )

    assert caught.value.param == "configuration"
    assert "inactive" in caught.value.message


async def test_a_flow_the_configuration_does_not_enable_is_rejected(
    provider: StripeBillingProvider, demo: dict[str, DemoRecord]
) -> None:
    customer = demo["user_b2c"].customer_id
    configuration = await _config(provider, {"invoice_history": {"enabled": True}}, "avs-c")
    (sub,) = await provider.list_subscriptions(customer)

    with pytest.raises(ProviderRejected) as caught:
        await provider.create_portal_session(
            PortalSessionRequest(
                customer,
                configuration,
                RETURN_URL,
                flow=PortalFlow(FlowType.SUBSCRIPTION_CANCEL, subscription_id=sub.id),
            )
        )

    assert caught.value.param == "flow_data[type]"
    assert "subscription_cancel" in caught.value.message


async def test_a_flow_on_another_customers_subscription_is_rejected(
    provider: StripeBillingProvider, demo: dict[str, DemoRecord]
) -> None:
    features = {"subscription_cancel": {"enabled": True, "mode": "at_period_end"}}
    configuration = await _config(provider, features, "avs-c")
    (someone_elses,) = await provider.list_subscriptions(demo["user_b2b"].customer_id)

    with pytest.raises(ProviderRejected) as caught:
        await provider.create_portal_session(
            PortalSessionRequest(
                demo["user_b2c"].customer_id,
                configuration,
                RETURN_URL,
                flow=PortalFlow(FlowType.SUBSCRIPTION_CANCEL, subscription_id=someone_elses.id),
            )
        )

    assert caught.value.param == "flow_data[subscription_cancel][subscription]"


async def test_an_invalid_configuration_is_rejected_naming_the_field(
    provider: StripeBillingProvider, sandbox: RunningSandbox
) -> None:
    with pytest.raises(ProviderRejected) as caught:
        await _config(provider, {"subscription_cancel": {"enabled": True, "mode": "later"}}, "k")

    assert caught.value.param == "features[subscription_cancel][mode]"
    assert sandbox.store.snapshot().table("billing_portal.configuration") == {}


async def test_updating_an_unknown_configuration_is_rejected(
    provider: StripeBillingProvider,
) -> None:
    with pytest.raises(ProviderRejected) as caught:
        await provider.update_configuration("bpc_avsUnknown", MINIMAL, idempotency_key="avs-u")

    assert "bpc_avsUnknown" in caught.value.message


async def test_a_replayed_write_returns_the_first_result_and_a_reused_key_is_rejected(
    provider: StripeBillingProvider, sandbox: RunningSandbox
) -> None:
    first = await provider.create_configuration(MINIMAL, idempotency_key="avs-same")
    again = await provider.create_configuration(MINIMAL, idempotency_key="avs-same")
    other = {"features": {"payment_method_update": {"enabled": True}}}

    with pytest.raises(ProviderRejected) as caught:
        await provider.create_configuration(other, idempotency_key="avs-same")

    assert again.id == first.id
    assert list(sandbox.store.snapshot().table("billing_portal.configuration")) == [first.id]
    assert "idempotency key" in caught.value.message


async def test_prices_come_back_with_product_and_usage_and_unknown_ones_are_absent(
    provider: StripeBillingProvider, sandbox: RunningSandbox
) -> None:
    seed_demo(sandbox.store)
    prices = prices_by_lookup_key(sandbox.store)
    metered, monthly = prices["api_calls_metered"], prices["basic_monthly"]

    found = await provider.get_prices(
        [monthly["id"], "price_avsUnknown", metered["id"], monthly["id"]]
    )

    by_id = {price.id: price for price in found}
    assert list(by_id) == [monthly["id"], metered["id"]]
    for price, seeded, is_metered in (
        (by_id[monthly["id"]], monthly, False),
        (by_id[metered["id"]], metered, True),
    ):
        assert price.product_id == seeded["product"]
        assert (price.active, price.recurring, price.metered) == (True, True, is_metered)


async def test_prices_are_found_by_lookup_key_only_while_active(
    provider: StripeBillingProvider, sandbox: RunningSandbox
) -> None:
    seed_demo(sandbox.store)
    prices = prices_by_lookup_key(sandbox.store)
    keys = ["basic_monthly", "pro_yearly", "api_calls_metered", "avs_unknown_key"]

    found = await provider.find_prices_by_lookup_keys(keys)
    sandbox.store.update_price(prices["pro_yearly"]["id"], {"active": False})
    after = await provider.find_prices_by_lookup_keys(keys)

    assert {(p.lookup_key, p.id, p.metered) for p in found} == {
        ("basic_monthly", prices["basic_monthly"]["id"], False),
        ("pro_yearly", prices["pro_yearly"]["id"], False),
        ("api_calls_metered", prices["api_calls_metered"]["id"], True),
    }
    assert {p.lookup_key for p in after} == {"basic_monthly", "api_calls_metered"}
