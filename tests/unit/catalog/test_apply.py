"""`configs apply` against in-memory fakes: never a duplicate, no write when nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.fakes import (
    SEED_PRICES,
    FakeClock,
    FakeConfigurationMappings,
    FakePortalConfigurationProvider,
    FakeTransactionManager,
    ProviderCrashed,
    a_price,
)
from tests.unit.builders import NOW
from tests.unit.catalog.builders import b2b_data, catalog_of, payment_methods_only

from adapters.catalog.toml_catalog import load_catalog
from application.configs.apply_configurations import ApplyConfigurations, ApplyResult
from application.configs.plan_configurations import PlanConfigurations
from application.errors import CatalogInvalid, ProviderUnavailable
from application.ports.configuration_mappings import ConfigurationMapping
from domain.catalog import Catalog, PlanAction, fingerprint

EXAMPLE = Path(__file__).parents[3] / "portal-configurations.toml"


class World:
    def __init__(self, prices=SEED_PRICES) -> None:
        self.provider = FakePortalConfigurationProvider(prices)
        self.mappings = FakeConfigurationMappings()
        self.transaction = FakeTransactionManager(self.mappings)

    async def apply(self, catalog: Catalog) -> ApplyResult:
        use_case = ApplyConfigurations(
            catalog, self.provider, self.mappings, self.transaction, FakeClock(NOW)
        )
        return await use_case.execute()

    def mapping(self, name: str) -> ConfigurationMapping:
        return self.mappings.committed[name]


async def test_the_first_apply_creates_every_configuration_and_records_it() -> None:
    world, catalog = World(), load_catalog(EXAMPLE)
    result = await world.apply(catalog)
    assert result.provider_writes == len(world.provider.writes) == 5
    assert {entry.action for entry in result.entries} == {PlanAction.CREATE}
    resolved = catalog.resolve({p.lookup_key: p.id for p in SEED_PRICES if p.lookup_key})
    for entry in result.entries:
        stored = world.provider.objects[entry.provider_id]
        assert stored["metadata"]["portal_catalog_name"] == entry.name
        assert world.mapping(entry.name) == ConfigurationMapping(
            entry.name, entry.provider_id, fingerprint(resolved.get(entry.name)), True, NOW
        )
    assert world.transaction.commits == 1


async def test_applying_twice_makes_no_write_the_second_time() -> None:
    world, catalog = World(), load_catalog(EXAMPLE)
    await world.apply(catalog)
    second = await world.apply(catalog)
    assert len(world.provider.writes) == 5
    assert second.provider_writes == 0
    assert second.mappings_saved == 0
    assert {entry.action for entry in second.entries} == {PlanAction.UNCHANGED}


async def test_a_crash_between_create_and_commit_does_not_duplicate_on_rerun() -> None:
    world, catalog = World(), load_catalog(EXAMPLE)
    world.provider.crash_after_write = True
    with pytest.raises(ProviderCrashed):
        await world.apply(catalog)
    assert world.mappings.committed == {}
    assert world.transaction.rollbacks == 1
    world.provider.crash_after_write = False
    rerun = await world.apply(catalog)
    assert [len(world.provider.by_name(name)) for name in catalog.names()] == [1] * 5
    assert rerun.provider_writes == 4
    first = rerun.entries[0]
    assert first.action is PlanAction.UNCHANGED
    assert world.mapping(first.name).provider_id == first.provider_id


async def test_an_edit_updates_only_that_configuration() -> None:
    world = World()
    await world.apply(catalog_of(b2b=b2b_data(), pmo=payment_methods_only()))
    edited = b2b_data()
    edited["features"]["subscription_cancel"]["cancellation_reason"]["options"] = ["other"]
    catalog = catalog_of(b2b=edited, pmo=payment_methods_only())
    result = await world.apply(catalog)
    assert [(e.name, e.action) for e in result.entries] == [
        ("b2b", PlanAction.UPDATE),
        ("pmo", PlanAction.UNCHANGED),
    ]
    assert result.provider_writes == 1
    stored = world.provider.by_name("b2b")[0]
    assert stored["features"]["subscription_cancel"]["cancellation_reason"]["options"] == ["other"]
    assert world.mapping("b2b").fingerprint == fingerprint(catalog.get("b2b"))
    assert (await world.apply(catalog)).provider_writes == 0


async def test_removing_an_entry_deactivates_it_and_adding_it_back_reactivates_it() -> None:
    world = World()
    both = catalog_of(b2b=b2b_data(), pmo=payment_methods_only())
    await world.apply(both)
    pmo_id = world.mapping("pmo").provider_id
    removed = await world.apply(catalog_of(b2b=b2b_data()))
    assert [(e.name, e.action) for e in removed.entries][-1] == ("pmo", PlanAction.DEACTIVATE)
    assert world.provider.objects[pmo_id]["active"] is False
    assert world.mapping("pmo").active is False
    assert (await world.apply(catalog_of(b2b=b2b_data()))).provider_writes == 0
    back = await world.apply(both)
    assert [(e.name, e.action) for e in back.entries] == [
        ("b2b", PlanAction.UNCHANGED),
        ("pmo", PlanAction.REACTIVATE),
    ]
    assert world.provider.objects[pmo_id]["active"] is True
    assert world.mapping("pmo") == ConfigurationMapping(
        "pmo", pmo_id, fingerprint(both.get("pmo")), True, NOW
    )
    assert len(world.provider.objects) == 2


async def test_changing_back_and_forth_never_hits_a_stale_idempotent_reply() -> None:
    world = World()
    a, b = b2b_data(), b2b_data()
    b["business_profile"]["headline"] = "B"
    for data in (a, b, a, b):
        await world.apply(catalog_of(b2b=data))
    assert world.provider.by_name("b2b")[0]["business_profile"]["headline"] == "B"
    assert [call for call, _, _ in world.provider.writes] == [
        "create",
        "update",
        "update",
        "update",
    ]
    assert len({key for _, _, key in world.provider.writes}) == 4


async def test_a_metered_price_is_refused_by_name_before_any_write() -> None:
    prices = [p for p in SEED_PRICES if p.id != "price_pro_monthly"]
    world = World([*prices, a_price("price_pro_monthly", "prod_demo_pro", metered=True)])
    with pytest.raises(CatalogInvalid) as caught:
        await world.apply(catalog_of(b2b=b2b_data()))
    assert caught.value.message == (
        "portal-configurations.toml: [configurations.b2b] "
        "features.subscription_update.products[1].prices[0]: price 'price_pro_monthly' is "
        "metered (usage-based); metered prices are never offered for plan changes"
    )
    assert world.provider.writes == []


@pytest.mark.parametrize(
    ("prices", "message"),
    [
        (
            [p for p in SEED_PRICES if p.id != "price_basic_yearly"],
            "products[0].prices[1]: price 'price_basic_yearly' does not exist at the billing provider",
        ),
        (
            [
                *SEED_PRICES[:1],
                a_price("price_basic_yearly", "prod_demo_basic", recurring=False),
                *SEED_PRICES[2:],
            ],
            "products[0].prices[1]: price 'price_basic_yearly' is a one-time price; "
            "plan changes need recurring prices",
        ),
        (
            [*SEED_PRICES[:2], a_price("price_pro_monthly", "prod_demo_basic"), *SEED_PRICES[3:]],
            "products[1].prices[0]: price 'price_pro_monthly' belongs to product "
            "'prod_demo_basic', not 'prod_demo_pro'",
        ),
    ],
)
async def test_plan_refuses_prices_that_cannot_be_a_plan_change(prices, message: str) -> None:
    world = World(prices)
    with pytest.raises(CatalogInvalid) as caught:
        await PlanConfigurations(
            catalog_of(b2b=b2b_data()), world.provider, world.mappings
        ).execute()
    assert caught.value.message.endswith(message)
    assert "[configurations.b2b] features.subscription_update." in caught.value.message


class FailingUpdates(FakePortalConfigurationProvider):
    async def update_configuration(self, configuration_id, params, *, idempotency_key):
        raise ProviderUnavailable("Stripe is down")


async def test_a_provider_failure_rolls_back_and_the_next_run_finishes_the_job() -> None:
    world = World()
    await world.apply(catalog_of(b2b=b2b_data()))
    failing = FailingUpdates(SEED_PRICES)
    failing.objects = world.provider.objects
    world.provider = failing
    edited = b2b_data()
    edited["business_profile"]["headline"] = "New"
    before = world.mapping("b2b")
    with pytest.raises(ProviderUnavailable):
        await world.apply(catalog_of(pmo=payment_methods_only(), b2b=edited))
    assert world.transaction.rollbacks == 1
    assert world.mapping("b2b") == before
    assert "pmo" not in world.mappings.committed
