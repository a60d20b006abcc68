"""Portal configurations and prices (by id and by lookup key): pagination, idempotency keys,
encoding and mapping."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.stripe import StripeBillingProvider
from application.errors import ProviderMisconfigured, ProviderRejected
from application.ports.billing_provider import PortalSessionRequest
from application.ports.portal_configuration_provider import ProviderPrice
from domain.portal_flow import FlowType, PortalFlow

from .fake_stripe import FakeStripe
from .stripe_objects import example, stripe_error, stripe_list

PATH = "/v1/billing_portal/configurations"

# Stripe returns a configuration's products only when expanded; the adapter always asks.
EXPAND_ONE = "features.subscription_update.products"
EXPAND_LISTED = "data.features.subscription_update.products"


async def test_lists_active_and_inactive_configurations_on_every_page(
    provider: StripeBillingProvider, fake_stripe: FakeStripe
) -> None:
    active = example("billing_portal.configuration", id="bpc_1", metadata={"catalog_name": "b2c"})
    inactive = example(
        "billing_portal.configuration", id="bpc_2", active=False, is_default=False, metadata=None
    )
    fake_stripe.reply("GET", PATH, stripe_list([active], PATH, has_more=True))
    fake_stripe.reply("GET", PATH, stripe_list([inactive], PATH))

    first, second = await provider.list_configurations()

    assert [r.params for r in fake_stripe.requests] == [
        {"limit": "100", "expand[0]": EXPAND_LISTED},
        {"limit": "100", "expand[0]": EXPAND_LISTED, "starting_after": "bpc_1"},
    ]
    assert (first.id, first.active, first.is_default) == ("bpc_1", True, True)
    assert first.metadata == {"catalog_name": "b2c"}
    assert first.fields == active
    assert type(first.fields["features"]) is dict
    assert (second.id, second.active, second.is_default, second.metadata) == (
        "bpc_2", False, False, {},
    )  # fmt: skip


async def test_creates_with_the_callers_idempotency_key_and_nested_params(
    provider: StripeBillingProvider, fake_stripe: FakeStripe
) -> None:
    created = example(
        "billing_portal.configuration", id="bpc_new", metadata={"catalog_name": "b2b"}
    )
    fake_stripe.reply("POST", PATH, created)
    params = {
        "business_profile": {"headline": "Acme billing"},
        "default_return_url": "https://app.example.com/billing",
        "features": {
            "invoice_history": {"enabled": True},
            "subscription_update": {
                "enabled": True,
                "default_allowed_updates": ["price", "quantity"],
                "products": [{"product": "prod_pro", "prices": ["price_m", "price_y"]}],
            },
        },
        "metadata": {"catalog_name": "b2b"},
    }

    configuration = await provider.create_configuration(params, idempotency_key="apply-b2b-1")

    [sent] = fake_stripe.requests
    assert sent.headers["idempotency-key"] == "apply-b2b-1"
    assert sent.params == {
        "business_profile[headline]": "Acme billing",
        "default_return_url": "https://app.example.com/billing",
        "features[invoice_history][enabled]": "true",
        "features[subscription_update][enabled]": "true",
        "features[subscription_update][default_allowed_updates][0]": "price",
        "features[subscription_update][default_allowed_updates][1]": "quantity",
        "features[subscription_update][products][0][product]": "prod_pro",
        "features[subscription_update][products][0][prices][0]": "price_m",
        "features[subscription_update][products][0][prices][1]": "price_y",
        "metadata[catalog_name]": "b2b",
        "expand[0]": EXPAND_ONE,
    }
    assert (configuration.id, configuration.metadata) == ("bpc_new", {"catalog_name": "b2b"})


async def test_updates_the_named_configuration(
    provider: StripeBillingProvider, fake_stripe: FakeStripe
) -> None:
    fake_stripe.reply(
        "POST",
        f"{PATH}/bpc_old",
        example("billing_portal.configuration", id="bpc_old", active=False),
    )

    updated = await provider.update_configuration(
        "bpc_old", {"active": False}, idempotency_key="deactivate-bpc_old"
    )

    [sent] = fake_stripe.requests
    assert (sent.path, sent.params) == (
        f"{PATH}/bpc_old",
        {"active": "false", "expand[0]": EXPAND_ONE},
    )
    assert sent.headers["idempotency-key"] == "deactivate-bpc_old"
    assert (updated.id, updated.active) == ("bpc_old", False)


async def test_gets_each_price_once_and_leaves_out_missing_ones(
    provider: StripeBillingProvider, fake_stripe: FakeStripe
) -> None:
    licensed = example("price", id="price_lic", product="prod_pro")
    metered = example("price", id="price_usage", product=example("product", id="prod_usage"))
    metered["recurring"]["usage_type"] = "metered"
    one_off = example("price", id="price_once", recurring=None, active=False, type="one_time")
    fake_stripe.reply("GET", "/v1/prices/price_lic", licensed)
    missing = stripe_error("No such price: 'price_gone'", code="resource_missing", param="id")
    fake_stripe.reply("GET", "/v1/prices/price_gone", missing, status=404)
    fake_stripe.reply("GET", "/v1/prices/price_usage", metered)
    fake_stripe.reply("GET", "/v1/prices/price_once", one_off)

    prices = await provider.get_prices(
        ["price_lic", "price_gone", "price_usage", "price_lic", "price_once"]
    )

    assert prices == [
        ProviderPrice("price_lic", "prod_pro", active=True, recurring=True, metered=False),
        ProviderPrice("price_usage", "prod_usage", active=True, recurring=True, metered=True),
        ProviderPrice(
            "price_once", "prod_QXg1hqf4jFNsqG", active=False, recurring=False, metered=False
        ),
    ]
    assert len(fake_stripe.requests) == 4


# --- prices by lookup key ------------------------------------------------------------------

PRICES = "/v1/prices"


def keyed_price(price_id: str, lookup_key: str, product: str = "prod_pro") -> dict[str, Any]:
    return example("price", id=price_id, product=product, lookup_key=lookup_key)


async def test_finds_active_prices_by_lookup_key_ten_keys_per_request(
    provider: StripeBillingProvider, fake_stripe: FakeStripe
) -> None:
    keys = [f"plan_{n:02d}" for n in range(12)]
    metered = keyed_price("price_usage", "plan_11", product="prod_usage")
    metered["recurring"]["usage_type"] = "metered"
    fake_stripe.reply("GET", PRICES, stripe_list([keyed_price("price_a", "plan_00")], PRICES))
    fake_stripe.reply("GET", PRICES, stripe_list([metered], PRICES))

    prices = await provider.find_prices_by_lookup_keys([*keys, "plan_00"])

    first, second = (r.params for r in fake_stripe.requests)
    assert first == {
        "active": "true",
        "limit": "100",
        **{f"lookup_keys[{n}]": key for n, key in enumerate(keys[:10])},
    }
    assert second == {"active": "true", "limit": "100", "lookup_keys[0]": "plan_10",
                      "lookup_keys[1]": "plan_11"}  # fmt: skip
    assert all(r.path == PRICES for r in fake_stripe.requests)
    assert prices == [
        ProviderPrice("price_a", "prod_pro", True, True, False, lookup_key="plan_00"),
        ProviderPrice("price_usage", "prod_usage", True, True, metered=True, lookup_key="plan_11"),
    ]


async def test_finding_no_lookup_key_asks_nothing(
    provider: StripeBillingProvider, fake_stripe: FakeStripe
) -> None:
    assert await provider.find_prices_by_lookup_keys([]) == []
    assert fake_stripe.requests == []


async def test_a_price_without_a_lookup_key_maps_to_none(
    provider: StripeBillingProvider, fake_stripe: FakeStripe
) -> None:
    fake_stripe.reply("GET", "/v1/prices/price_plain", example("price", id="price_plain"))

    [price] = await provider.get_prices(["price_plain"])

    assert price.lookup_key is None


def confirm_by_key(key: str) -> PortalSessionRequest:
    flow = PortalFlow(
        FlowType.SUBSCRIPTION_UPDATE_CONFIRM, "sub_1", "si_1", quantity=2, price_lookup_key=key
    )
    return PortalSessionRequest("cus_123", "bpc_b2c", "https://app.example.com/b", flow=flow)


async def test_a_deep_link_by_lookup_key_targets_the_price_holding_the_key_now(
    provider: StripeBillingProvider, fake_stripe: FakeStripe
) -> None:
    fake_stripe.reply(
        "GET", PRICES, stripe_list([keyed_price("price_1Qpro", "pro_yearly")], PRICES)
    )
    fake_stripe.reply("POST", "/v1/billing_portal/sessions", example("billing_portal.session"))

    await provider.create_portal_session(confirm_by_key("pro_yearly"))

    lookup, session = fake_stripe.requests
    assert (lookup.method, lookup.path, lookup.params) == (
        "GET", PRICES, {"active": "true", "limit": "100", "lookup_keys[0]": "pro_yearly"},
    )  # fmt: skip
    confirm = "flow_data[subscription_update_confirm]"
    assert {k: v for k, v in session.params.items() if k.startswith(confirm)} == {
        f"{confirm}[subscription]": "sub_1",
        f"{confirm}[items][0][id]": "si_1",
        f"{confirm}[items][0][price]": "price_1Qpro",
        f"{confirm}[items][0][quantity]": "2",
    }


async def test_a_deep_link_to_a_key_no_active_price_holds_opens_no_session(
    provider: StripeBillingProvider, fake_stripe: FakeStripe
) -> None:
    fake_stripe.reply("GET", PRICES, stripe_list([], PRICES))

    with pytest.raises(ProviderMisconfigured, match="lookup key 'pro_yearly'"):
        await provider.create_portal_session(confirm_by_key("pro_yearly"))

    assert [r.path for r in fake_stripe.requests] == [PRICES]


async def test_a_refused_lookup_is_translated(
    provider: StripeBillingProvider, fake_stripe: FakeStripe
) -> None:
    error = stripe_error("You may pass at most 10 lookup keys.", param="lookup_keys")
    fake_stripe.reply("GET", PRICES, error, status=400)

    with pytest.raises(ProviderRejected, match="list prices by lookup key"):
        await provider.find_prices_by_lookup_keys(["basic_monthly"])
