"""The portal configuration catalog, end to end: the shipped file (its ids swapped for the
seeded ones), ``PlanConfigurations`` / ``ApplyConfigurations`` / ``ListConfigurations``,
the Stripe adapter on the seeded sandbox and the mapping table on a real database.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from avs_catalogs import Catalogs
from avs_support import (
    assert_default_untouched,
    catalog_configurations,
    catalog_for_seed,
    catalog_names,
    configuration_writes,
    configurations,
    dashboard_default,
    events_of,
    prices_by_lookup_key,
    without_configuration,
)

from adapters.catalog.toml_catalog import load_catalog
from application.configs.apply_configurations import AppliedConfiguration
from application.errors import CatalogInvalid
from domain.catalog import PlanAction, PlannedChange
from stripe_sandbox.seed import DemoRecord
from stripe_sandbox.testing import RunningSandbox

NAMES = ["b2b", "b2c", "payment_methods_only", "b2b_restricted", "b2c_restricted"]


def _actions(entries: Iterable[PlannedChange | AppliedConfiguration]) -> dict[str, PlanAction]:
    return {entry.name: entry.action for entry in entries}


async def test_the_first_apply_creates_the_five_and_a_second_makes_no_write(
    catalogs: Catalogs, sandbox: RunningSandbox
) -> None:
    default = dashboard_default(sandbox.store)
    shipped = catalogs.write(catalog_for_seed(sandbox.store))
    planned = await catalogs.plan(shipped)
    assert _actions(planned.entries) == dict.fromkeys(NAMES, PlanAction.CREATE)

    first = await catalogs.apply(shipped)

    assert first.provider_writes == 5
    assert first.mappings_saved == 5
    created = catalog_configurations(sandbox.store)
    assert len(created) == 5
    assert configurations(sandbox.store) == {**created, default["id"]: default}
    assert all(config["active"] and not config["is_default"] for config in created.values())
    ids = catalog_names(created)
    assert sorted(ids) == sorted(NAMES)
    assert {e.name: e.provider_id for e in first.entries} == ids
    recorded = await catalogs.mappings()
    assert {name: (m.provider_id, m.active) for name, m in recorded.items()} == {
        name: (ids[name], True) for name in NAMES
    }
    created_events = events_of(sandbox.store, "billing_portal.configuration.created")
    assert sorted(e["data"]["object"]["id"] for e in created_events) == sorted(
        [default["id"], *ids.values()]
    )
    fingerprints = {entry.name: entry.fingerprint for entry in first.entries}
    assert {name: m.fingerprint for name, m in recorded.items()} == fingerprints
    for name, config_id in ids.items():
        assert created[config_id]["metadata"]["portal_catalog_fingerprint"] == fingerprints[name]

    writes_before = configuration_writes(sandbox.store)
    idempotency_before = len(sandbox.store.snapshot().idempotency)
    second = await catalogs.apply(shipped)

    assert second.provider_writes == 0
    assert second.mappings_saved == 0
    assert _actions(second.entries) == dict.fromkeys(NAMES, PlanAction.UNCHANGED)
    assert configuration_writes(sandbox.store) == writes_before
    assert len(sandbox.store.snapshot().idempotency) == idempotency_before
    assert catalog_configurations(sandbox.store) == created
    assert_default_untouched(sandbox.store, default)


async def test_applied_configurations_hold_what_the_catalog_declares(
    catalogs: Catalogs, sandbox: RunningSandbox
) -> None:
    await catalogs.apply(catalogs.write(catalog_for_seed(sandbox.store)))
    prices = prices_by_lookup_key(sandbox.store)

    configs = configurations(sandbox.store)
    by_name = {name: configs[config_id] for name, config_id in catalog_names(configs).items()}
    products = sandbox.store.snapshot().portal_products

    b2b, b2c = by_name["b2b"], by_name["b2c"]
    assert b2b["business_profile"]["headline"] == "Manage your subscription"
    assert b2b["default_return_url"] == "http://localhost:8000/billing"
    assert b2b["metadata"]["segment"] == "b2b"
    assert b2b["features"]["subscription_cancel"]["mode"] == "at_period_end"
    assert sorted(b2b["features"]["customer_update"]["allowed_updates"]) == sorted(
        ["email", "address", "shipping", "phone", "tax_id"]
    )
    assert sorted(b2b["features"]["subscription_update"]["default_allowed_updates"]) == [
        "price",
        "quantity",
    ]
    assert b2c["features"]["subscription_update"]["default_allowed_updates"] == ["price"]
    assert [
        (p["product"], sorted(p["prices"])) for p in products[catalog_names(configs)["b2b"]]
    ] == [
        (
            prices["basic_monthly"]["product"],
            sorted([prices["basic_monthly"]["id"], prices["basic_yearly"]["id"]]),
        ),
        (
            prices["pro_monthly"]["product"],
            sorted([prices["pro_monthly"]["id"], prices["pro_yearly"]["id"]]),
        ),
    ]
    for restricted in ("b2b_restricted", "b2c_restricted", "payment_methods_only"):
        assert by_name[restricted]["features"]["subscription_update"]["enabled"] is False
    assert by_name["payment_methods_only"]["features"]["subscription_cancel"]["enabled"] is False


async def test_editing_one_headline_updates_exactly_that_configuration(
    catalogs: Catalogs, sandbox: RunningSandbox
) -> None:
    default = dashboard_default(sandbox.store)
    text = catalog_for_seed(sandbox.store)
    await catalogs.apply(catalogs.write(text))
    ids = catalog_names(configurations(sandbox.store))
    before = configurations(sandbox.store)
    writes_before = configuration_writes(sandbox.store)
    edited = catalogs.write(
        text + '\n[configurations.b2c.business_profile]\nheadline = "Your plan, your way"\n'
    )

    planned = await catalogs.plan(edited)
    (change,) = [entry for entry in planned.entries if entry.action is not PlanAction.UNCHANGED]
    assert (change.name, change.action) == ("b2c", PlanAction.UPDATE)
    assert [(c.path, c.old, c.new) for c in change.changes if c.path.startswith("business")] == [
        ("business_profile.headline", "Manage your subscription", "Your plan, your way")
    ]

    result = await catalogs.apply(edited)

    assert result.provider_writes == 1
    assert configuration_writes(sandbox.store) == writes_before + 1
    (updated,) = events_of(sandbox.store, "billing_portal.configuration.updated")
    assert updated["data"]["object"]["id"] == ids["b2c"]
    after = configurations(sandbox.store)
    assert after[ids["b2c"]]["business_profile"]["headline"] == "Your plan, your way"
    assert {k: v for k, v in after.items() if k != ids["b2c"]} == {
        k: v for k, v in before.items() if k != ids["b2c"]
    }
    assert (await catalogs.mappings())["b2c"].fingerprint == change.fingerprint
    assert (await catalogs.apply(edited)).provider_writes == 0
    assert_default_untouched(sandbox.store, default)


async def test_removing_an_entry_deactivates_it_and_adding_it_back_reactivates_it(
    catalogs: Catalogs, sandbox: RunningSandbox
) -> None:
    default = dashboard_default(sandbox.store)
    text = catalog_for_seed(sandbox.store)
    full = catalogs.write(text)
    await catalogs.apply(full)
    config_id = catalog_names(configurations(sandbox.store))["payment_methods_only"]
    removed = catalogs.write(without_configuration(text, "payment_methods_only"))
    assert "payment_methods_only" not in load_catalog(removed).names()

    deactivated = await catalogs.apply(removed)

    assert deactivated.provider_writes == 1
    assert _actions(deactivated.entries)["payment_methods_only"] is PlanAction.DEACTIVATE
    configs = catalog_configurations(sandbox.store)
    assert configs[config_id]["active"] is False
    assert sum(config["active"] for config in configs.values()) == 4
    assert_default_untouched(sandbox.store, default)
    mapping = (await catalogs.mappings())["payment_methods_only"]
    assert (mapping.provider_id, mapping.active) == (config_id, False)
    assert (await catalogs.apply(removed)).provider_writes == 0

    reactivated = await catalogs.apply(full)

    assert reactivated.provider_writes == 1
    assert _actions(reactivated.entries)["payment_methods_only"] is PlanAction.REACTIVATE
    configs = catalog_configurations(sandbox.store)
    assert len(configs) == 5
    assert configs[config_id]["active"] is True
    assert_default_untouched(sandbox.store, default)
    mapping = (await catalogs.mappings())["payment_methods_only"]
    assert (mapping.provider_id, mapping.active) == (config_id, True)
    assert all(m.active for m in (await catalogs.mappings()).values())


async def test_a_catalog_offering_a_metered_price_is_refused_naming_it(
    catalogs: Catalogs, sandbox: RunningSandbox
) -> None:
    default = dashboard_default(sandbox.store)
    metered_price = prices_by_lookup_key(sandbox.store)["api_calls_metered"]
    metered, metered_product = metered_price["id"], metered_price["product"]
    text = catalog_for_seed(sandbox.store) + (
        "\n[[configurations.b2b.features.subscription_update.products]]\n"
        f'product = "{metered_product}"\nprices = ["{metered}"]\n'
    )
    path = catalogs.write(text)

    with pytest.raises(CatalogInvalid) as planned:
        await catalogs.plan(path)
    with pytest.raises(CatalogInvalid) as applied:
        await catalogs.apply(path)

    for caught in (planned, applied):
        assert metered in caught.value.message
        assert "metered" in caught.value.message
        assert "[configurations.b2b] features.subscription_update.products[2]" in (
            caught.value.message
        )
    assert configurations(sandbox.store) == {default["id"]: default}  # nothing created
    assert await catalogs.mappings() == {}


async def test_a_catalog_with_a_single_configuration_can_grow(
    catalogs: Catalogs, sandbox: RunningSandbox
) -> None:
    """Applying entry by entry creates each once; the earlier ones are left alone."""
    default = dashboard_default(sandbox.store)
    text = catalog_for_seed(sandbox.store)
    just_b2c_text = text
    for name in NAMES:
        if name != "b2c":
            just_b2c_text = without_configuration(just_b2c_text, name)
    just_b2c = catalogs.write(just_b2c_text)
    assert load_catalog(just_b2c).names() == ("b2c",)

    assert (await catalogs.apply(just_b2c)).provider_writes == 1
    grown = await catalogs.apply(catalogs.write(text))

    assert _actions(grown.entries) == {
        "b2b": PlanAction.CREATE,
        "b2c": PlanAction.UNCHANGED,
        "payment_methods_only": PlanAction.CREATE,
        "b2b_restricted": PlanAction.CREATE,
        "b2c_restricted": PlanAction.CREATE,
    }
    assert len(catalog_configurations(sandbox.store)) == 5
    assert_default_untouched(sandbox.store, default)


async def test_a_catalog_naming_prices_by_lookup_key_applies_their_ids_once(
    catalogs: Catalogs, sandbox: RunningSandbox
) -> None:
    """The shipped notation (``price_lookup_keys``), with the seeded product ids."""
    text = catalog_for_seed(sandbox.store, keep_lookup_keys=True)
    assert "price_lookup_keys" in text
    path = catalogs.write(text)
    prices = prices_by_lookup_key(sandbox.store)

    first = await catalogs.apply(path)
    second = await catalogs.apply(path)

    assert (first.provider_writes, second.provider_writes) == (5, 0)
    configs = configurations(sandbox.store)
    offered = sandbox.store.snapshot().portal_products[catalog_names(configs)["b2c"]]
    assert [sorted(p["prices"]) for p in offered] == [
        sorted([prices["basic_monthly"]["id"], prices["basic_yearly"]["id"]]),
        sorted([prices["pro_monthly"]["id"], prices["pro_yearly"]["id"]]),
    ]


async def test_apply_never_touches_the_dashboard_default(
    catalogs: Catalogs, sandbox: RunningSandbox, demo: dict[str, DemoRecord]
) -> None:
    """Creating, editing, retiring and bringing back entries: the default configuration (no
    catalog name, not in our table) is never planned, updated or deactivated."""
    default = dashboard_default(sandbox.store)
    text = catalog_for_seed(sandbox.store)
    only_b2c = text
    for name in NAMES:
        if name != "b2c":
            only_b2c = without_configuration(only_b2c, name)
    edited = text + '\n[configurations.b2b.business_profile]\nheadline = "Billing, simply"\n'
    steps = [text, edited, only_b2c, text]

    for step in steps:
        path = catalogs.write(step)
        planned = await catalogs.plan(path)
        applied = await catalogs.apply(path)

        touched = [e.provider_id for e in (*planned.entries, *applied.entries)]
        assert default["id"] not in touched
        assert default["id"] not in {m.provider_id for m in (await catalogs.mappings()).values()}
        assert_default_untouched(sandbox.store, default)
    assert {c["active"] for c in catalog_configurations(sandbox.store).values()} == {True}
    session = sandbox.store.create_portal_session({"customer": demo["user_b2c"].customer_id})
    assert session["configuration"] == default["id"]
