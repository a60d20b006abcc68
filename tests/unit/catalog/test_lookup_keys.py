"""Prices named by Stripe lookup key: one catalog file for every account and mode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.fakes import (
    SEED_PRICES,
    FakeClock,
    FakeConfigurationMappings,
    FakePortalConfigurationProvider,
    FakeTransactionManager,
    a_price,
    account_prices,
)
from tests.unit.builders import NOW
from tests.unit.catalog.builders import SOURCE, b2b_data, catalog_of, payment_methods_only

from adapters.catalog.toml_catalog import load_catalog
from application.configs.apply_configurations import ApplyConfigurations, ApplyResult
from application.configs.list_configurations import ApplyStatus, ListConfigurations
from application.configs.plan_configurations import PlanConfigurations
from application.errors import CatalogInvalid
from application.ports.portal_configuration_provider import ProviderPrice
from domain.catalog import Catalog, CatalogError, PlanAction, fingerprint, to_stripe_params

EXAMPLE = Path(__file__).parents[3] / "portal-configurations.toml"
PRODUCTS = "features.subscription_update.products"


def by_key_data(
    *, basic: list[str], pro: list[str], basic_ids: tuple[str, ...] = ()
) -> dict[str, Any]:
    data = b2b_data()
    data["features"]["subscription_update"]["products"] = [
        {"product": "prod_demo_basic", "prices": list(basic_ids), "price_lookup_keys": basic},
        {"product": "prod_demo_pro", "price_lookup_keys": pro},
    ]
    return data


class Account:
    """One Stripe account (or mode) and our database, as `configs` sees them."""

    def __init__(self, prices: tuple[ProviderPrice, ...] | list[ProviderPrice]) -> None:
        self.provider = FakePortalConfigurationProvider(prices)
        self.mappings = FakeConfigurationMappings()

    async def apply(self, catalog: Catalog) -> ApplyResult:
        transaction = FakeTransactionManager(self.mappings)
        return await ApplyConfigurations(
            catalog, self.provider, self.mappings, transaction, FakeClock(NOW)
        ).execute()

    async def plan_error(self, catalog: Catalog) -> str:
        with pytest.raises(CatalogInvalid) as caught:
            await PlanConfigurations(catalog, self.provider, self.mappings).execute()
        return caught.value.message

    def offered(self, name: str) -> list[dict[str, Any]]:
        [stored] = self.provider.by_name(name)
        return [
            {"product": p["product"], "prices": p["prices"]}
            for p in stored["features"]["subscription_update"]["products"]
        ]


# --- the pure resolution step -------------------------------------------------------------


def test_resolving_puts_the_ids_where_the_keys_were_after_the_declared_ids() -> None:
    catalog = catalog_of(
        b2b=by_key_data(basic=["basic_monthly"], pro=["pro_monthly"], basic_ids=("price_old",))
    )
    resolved = catalog.resolve({"basic_monthly": "price_1Qa", "pro_monthly": "price_1Qb"})
    update = resolved.get("b2b").features.subscription_update
    assert [(p.product, p.prices, p.lookup_keys) for p in update.products] == [
        ("prod_demo_basic", ("price_old", "price_1Qa"), ()),
        ("prod_demo_pro", ("price_1Qb",), ()),
    ]
    assert resolved.source == catalog.source
    assert resolved.all_price_lookup_keys() == ()


def test_a_resolved_catalog_is_indistinguishable_from_one_written_with_those_ids() -> None:
    by_key = catalog_of(b2b=by_key_data(basic=["basic_monthly"], pro=["pro_monthly"]))
    by_id = b2b_data()
    by_id["features"]["subscription_update"]["products"] = [
        {"product": "prod_demo_basic", "prices": ["price_1Qa"]},
        {"product": "prod_demo_pro", "prices": ["price_1Qb"]},
    ]
    resolved = by_key.resolve({"basic_monthly": "price_1Qa", "pro_monthly": "price_1Qb"})
    written = catalog_of(b2b=by_id)
    assert fingerprint(resolved.get("b2b")) == fingerprint(written.get("b2b"))
    assert to_stripe_params(resolved.get("b2b")) == to_stripe_params(written.get("b2b"))


def test_a_key_named_both_ways_is_offered_once() -> None:
    catalog = catalog_of(b2b=by_key_data(basic=["basic"], pro=["pro"], basic_ids=("price_a",)))
    resolved = catalog.resolve({"basic": "price_a", "pro": "price_b"})
    assert resolved.get("b2b").features.subscription_update.price_ids == ("price_a", "price_b")


def test_resolving_without_an_id_for_a_key_names_file_configuration_and_field() -> None:
    catalog = catalog_of(b2b=by_key_data(basic=["basic_monthly"], pro=["pro_monthly"]))
    with pytest.raises(CatalogError) as caught:
        catalog.resolve({"basic_monthly": "price_1Qa"})
    assert [str(p) for p in caught.value.problems] == [
        f"{SOURCE}: [configurations.b2b] {PRODUCTS}[1].price_lookup_keys[0]: "
        "lookup key 'pro_monthly' matches no active price"
    ]


# --- plan and apply against an account ----------------------------------------------------


async def test_the_shipped_file_applies_to_any_account_with_the_lookup_keys() -> None:
    catalog = load_catalog(EXAMPLE)
    test_mode, live_mode = Account(account_prices("test")), Account(account_prices("live"))
    for account, mode in ((test_mode, "test"), (live_mode, "live")):
        result = await account.apply(catalog)
        assert result.provider_writes == 5
        assert account.offered("b2c") == [
            {
                "product": "prod_demo_basic",
                "prices": [f"price_1Q{mode}_basic_monthly", f"price_1Q{mode}_basic_yearly"],
            },
            {
                "product": "prod_demo_pro",
                "prices": [f"price_1Q{mode}_pro_monthly", f"price_1Q{mode}_pro_yearly"],
            },
        ]
        assert account.provider.by_name("payment_methods_only")


async def test_a_second_apply_by_lookup_key_makes_no_write_and_list_shows_it_applied() -> None:
    catalog, account = load_catalog(EXAMPLE), Account(SEED_PRICES)
    await account.apply(catalog)
    writes = len(account.provider.writes)
    again = await account.apply(catalog)
    assert (again.provider_writes, again.mappings_saved) == (0, 0)
    assert {entry.action for entry in again.entries} == {PlanAction.UNCHANGED}
    assert len(account.provider.writes) == writes
    listing = await ListConfigurations(catalog, account.mappings, account.provider).execute()
    assert {row.status for row in listing.rows} == {ApplyStatus.APPLIED}


async def test_a_key_moved_to_a_new_price_plans_an_update_of_the_offered_prices() -> None:
    catalog = catalog_of(b2b=by_key_data(basic=["basic_monthly"], pro=["pro_monthly"]))
    account = Account(SEED_PRICES)
    await account.apply(catalog)
    # The operator raised the price: a new price took the key (Stripe's transfer_lookup_key).
    account.provider.prices["price_basic_monthly"] = a_price(
        "price_basic_monthly", "prod_demo_basic", lookup_key=None
    )
    account.provider.prices["price_basic_monthly_v2"] = a_price(
        "price_basic_monthly_v2", "prod_demo_basic", lookup_key="basic_monthly"
    )
    plan = await PlanConfigurations(catalog, account.provider, account.mappings).execute()
    [entry] = plan.entries
    assert entry.action is PlanAction.UPDATE
    [change] = [c for c in entry.changes if c.path == PRODUCTS]
    assert change.old[0] == {"product": "prod_demo_basic", "prices": ["price_basic_monthly"]}
    assert change.new[0] == {"product": "prod_demo_basic", "prices": ["price_basic_monthly_v2"]}
    await account.apply(catalog)
    assert account.offered("b2b")[0]["prices"] == ["price_basic_monthly_v2"]
    assert (await account.apply(catalog)).provider_writes == 0


def _seed_with(key: str, replacement: ProviderPrice | None) -> list[ProviderPrice]:
    kept = [price for price in SEED_PRICES if price.lookup_key != key]
    return [*kept, replacement] if replacement is not None else kept


@pytest.mark.parametrize(
    ("prices", "field", "message"),
    [
        pytest.param(
            _seed_with("pro_yearly", None),
            "[1].price_lookup_keys[1]",
            "lookup key 'pro_yearly' matches no active price at the billing provider",
            id="unknown",
        ),
        pytest.param(
            _seed_with(
                "pro_yearly",
                a_price("price_old", "prod_demo_pro", lookup_key="pro_yearly", active=False),
            ),
            "[1].price_lookup_keys[1]",
            "lookup key 'pro_yearly' matches no active price at the billing provider",
            id="archived",
        ),
        pytest.param(
            _seed_with(
                "pro_yearly",
                a_price("price_api", "prod_demo_pro", lookup_key="pro_yearly", metered=True),
            ),
            "[1].price_lookup_keys[1]",
            "lookup key 'pro_yearly' (price 'price_api') is metered (usage-based); "
            "metered prices are never offered for plan changes",
            id="metered",
        ),
        pytest.param(
            _seed_with(
                "basic_yearly",
                a_price(
                    "price_once", "prod_demo_basic", lookup_key="basic_yearly", recurring=False
                ),
            ),
            "[0].price_lookup_keys[1]",
            "lookup key 'basic_yearly' (price 'price_once') is a one-time price; "
            "plan changes need recurring prices",
            id="one-time",
        ),
        pytest.param(
            _seed_with(
                "basic_monthly",
                a_price("price_pro_m", "prod_demo_pro", lookup_key="basic_monthly"),
            ),
            "[0].price_lookup_keys[0]",
            "lookup key 'basic_monthly' (price 'price_pro_m') belongs to product 'prod_demo_pro', "
            "not 'prod_demo_basic'",
            id="other-product",
        ),
    ],
)
async def test_plan_refuses_a_key_that_cannot_be_a_plan_change_before_any_write(
    prices: list[ProviderPrice], field: str, message: str
) -> None:
    account = Account(prices)
    error = await account.plan_error(load_catalog(EXAMPLE))
    assert f"{EXAMPLE}: [configurations.b2b] {PRODUCTS}{field}: {message}" in error
    assert f"{EXAMPLE}: [configurations.b2c] {PRODUCTS}{field}: {message}" in error
    assert error.startswith("2 problems in the portal configuration catalog:")
    with pytest.raises(CatalogInvalid):
        await account.apply(load_catalog(EXAMPLE))
    assert account.provider.writes == []


async def test_list_refuses_a_key_no_active_price_holds() -> None:
    account = Account(_seed_with("pro_yearly", None))
    listing = ListConfigurations(load_catalog(EXAMPLE), account.mappings, account.provider)
    with pytest.raises(CatalogInvalid, match=r"lookup key 'pro_yearly' matches no active price"):
        await listing.execute()


async def test_ids_and_keys_are_checked_together_and_reported_at_once() -> None:
    data = by_key_data(basic=["basic_monthly"], pro=["pro_monthly"], basic_ids=("price_gone",))
    account = Account(SEED_PRICES)
    error = await account.plan_error(catalog_of(b2b=data, pmo=payment_methods_only()))
    assert error == (
        f"{SOURCE}: [configurations.b2b] {PRODUCTS}[0].prices[0]: "
        "price 'price_gone' does not exist at the billing provider"
    )


def test_an_unresolved_configuration_is_never_fingerprinted_or_sent() -> None:
    catalog = catalog_of(b2b=by_key_data(basic=["basic_monthly"], pro=["pro_monthly"]))
    for turn_into_stripe_terms in (fingerprint, to_stripe_params):
        with pytest.raises(ValueError, match="resolve them to ids first"):
            turn_into_stripe_terms(catalog.get("b2b"))
