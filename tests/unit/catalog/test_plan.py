"""The plan: what applying the catalog would change at the provider, field by field."""

from __future__ import annotations

from tests.fakes import FakePortalConfigurationProvider
from tests.unit.catalog.builders import b2b_data, catalog_of, payment_methods_only

from domain.catalog import (
    Catalog,
    FieldChange,
    Plan,
    PlanAction,
    fingerprint,
    plan_catalog,
    to_stripe_params,
)


async def _provider_holding(catalog: Catalog) -> FakePortalConfigurationProvider:
    provider = FakePortalConfigurationProvider()
    for configuration in catalog:
        await provider.create_configuration(
            to_stripe_params(configuration), idempotency_key=f"seed-{configuration.name}"
        )
    return provider


async def _plan(catalog: Catalog, provider: FakePortalConfigurationProvider, mapped=None) -> Plan:
    return plan_catalog(catalog, await provider.list_configurations(), mapped or {})


def _actions(plan: Plan) -> list[tuple[str, PlanAction]]:
    return [(entry.name, entry.action) for entry in plan.entries]


async def test_a_new_catalog_plans_one_create_per_configuration() -> None:
    catalog = catalog_of(b2b=b2b_data(), pmo=payment_methods_only())
    plan = await _plan(catalog, FakePortalConfigurationProvider())
    assert _actions(plan) == [("b2b", PlanAction.CREATE), ("pmo", PlanAction.CREATE)]
    assert plan.entries[0].params == to_stripe_params(catalog.get("b2b"))
    assert plan.entries[0].fingerprint == fingerprint(catalog.get("b2b"))
    created = {change.path: (change.old, change.new) for change in plan.entries[0].changes}
    assert created["business_profile.headline"] == (None, "Manage your subscription")
    assert created["features.subscription_update.default_allowed_updates"] == (
        None,
        ["price", "quantity"],
    )
    assert created["metadata.portal_catalog_name"] == (None, "b2b")
    assert "business_profile.privacy_policy_url" not in created
    assert plan.write_count == 2


async def test_what_the_provider_already_holds_is_unchanged_despite_stripe_extras() -> None:
    catalog = catalog_of(b2b=b2b_data(), pmo=payment_methods_only())
    provider = await _provider_holding(catalog)
    stored = next(iter(provider.objects.values()))
    assert {"id", "object", "created", "livemode", "login_page"} <= set(stored)
    plan = await _plan(catalog, provider)
    assert _actions(plan) == [("b2b", PlanAction.UNCHANGED), ("pmo", PlanAction.UNCHANGED)]
    assert plan.write_count == 0
    assert all(entry.params == {} and entry.changes == () for entry in plan.entries)


async def test_an_edited_file_plans_an_update_listing_each_changed_field() -> None:
    provider = await _provider_holding(catalog_of(b2b=b2b_data()))
    edited = b2b_data()
    edited["business_profile"]["headline"] = "Your plan"
    edited["features"]["subscription_update"]["default_allowed_updates"] = ["price"]
    del edited["metadata"]["segment"]
    catalog = catalog_of(b2b=edited)
    plan = await _plan(catalog, provider)
    [entry] = plan.entries
    assert entry.action is PlanAction.UPDATE
    assert entry.provider_id == "bpc_0001"
    paths = {change.path: change for change in entry.changes}
    assert paths["business_profile.headline"] == FieldChange(
        "business_profile.headline", "Manage your subscription", "Your plan"
    )
    assert paths["features.subscription_update.default_allowed_updates"] == FieldChange(
        "features.subscription_update.default_allowed_updates", ["price", "quantity"], ["price"]
    )
    assert paths["metadata.segment"] == FieldChange("metadata.segment", "b2b", None)
    assert set(paths) == {
        "business_profile.headline",
        "features.subscription_update.default_allowed_updates",
        "metadata.segment",
        "metadata.portal_catalog_fingerprint",
    }
    assert entry.params["metadata"]["segment"] == ""
    assert entry.params["metadata"]["portal_catalog_fingerprint"] == fingerprint(catalog.get("b2b"))


async def test_a_configuration_edited_outside_the_catalog_shows_as_an_update() -> None:
    catalog = catalog_of(b2b=b2b_data())
    provider = await _provider_holding(catalog)
    provider.edit_outside_catalog(
        "bpc_0001",
        {
            "features": {
                "subscription_cancel": {"mode": "immediately"},
                "subscription_update": {
                    "products": [{"product": "prod_demo_pro", "prices": ["price_x"]}]
                },
            }
        },
    )
    [entry] = (await _plan(catalog, provider)).entries
    assert entry.action is PlanAction.UPDATE
    assert [(c.path, c.old, c.new) for c in entry.changes] == [
        ("features.subscription_cancel.mode", "immediately", "at_period_end"),
        (
            "features.subscription_update.products",
            [{"product": "prod_demo_pro", "prices": ["price_x"]}],
            [
                {
                    "product": "prod_demo_basic",
                    "prices": ["price_basic_monthly", "price_basic_yearly"],
                },
                {"product": "prod_demo_pro", "prices": ["price_pro_monthly"]},
            ],
        ),
    ]


async def test_a_list_returned_in_another_order_is_not_a_change() -> None:
    catalog = catalog_of(b2b=b2b_data())
    provider = await _provider_holding(catalog)
    provider.edit_outside_catalog(
        "bpc_0001", {"features": {"customer_update": {"allowed_updates": ["tax_id", "email"]}}}
    )
    assert _actions(await _plan(catalog, provider)) == [("b2b", PlanAction.UNCHANGED)]


async def test_an_entry_removed_from_the_file_is_deactivated() -> None:
    provider = await _provider_holding(catalog_of(b2b=b2b_data(), pmo=payment_methods_only()))
    plan = await _plan(catalog_of(b2b=b2b_data()), provider)
    assert _actions(plan) == [("b2b", PlanAction.UNCHANGED), ("pmo", PlanAction.DEACTIVATE)]
    deactivation = plan.entries[1]
    assert deactivation.provider_id == "bpc_0002"
    assert deactivation.params == {"active": False}
    assert deactivation.changes == (FieldChange("active", True, False),)


async def test_an_already_inactive_removed_entry_needs_nothing() -> None:
    provider = await _provider_holding(catalog_of(b2b=b2b_data(), pmo=payment_methods_only()))
    provider.edit_outside_catalog("bpc_0002", {"active": False})
    assert _actions(await _plan(catalog_of(b2b=b2b_data()), provider)) == [
        ("b2b", PlanAction.UNCHANGED)
    ]


async def test_configurations_not_made_by_the_catalog_are_left_alone() -> None:
    provider = FakePortalConfigurationProvider()
    await provider.create_configuration(
        {"features": {"invoice_history": {"enabled": True}}}, idempotency_key="by-hand"
    )
    plan = await _plan(catalog_of(b2b=b2b_data()), provider)
    assert _actions(plan) == [("b2b", PlanAction.CREATE)]


async def test_an_entry_added_back_is_reactivated_with_its_changes() -> None:
    provider = await _provider_holding(catalog_of(b2b=b2b_data()))
    provider.edit_outside_catalog("bpc_0001", {"active": False})
    [entry] = (await _plan(catalog_of(b2b=b2b_data()), provider)).entries
    assert entry.action is PlanAction.REACTIVATE
    assert entry.provider_id == "bpc_0001"
    assert entry.changes == (FieldChange("active", False, True),)
    assert entry.params["active"] is True


async def test_the_mapping_table_identifies_an_object_whose_metadata_was_wiped() -> None:
    provider = await _provider_holding(catalog_of(b2b=b2b_data()))
    provider.edit_outside_catalog(
        "bpc_0001", {"metadata": {"portal_catalog_name": "", "portal_catalog_fingerprint": ""}}
    )
    catalog = catalog_of(b2b=b2b_data())
    assert _actions(await _plan(catalog, provider)) == [("b2b", PlanAction.CREATE)]
    [entry] = (await _plan(catalog, provider, {"b2b": "bpc_0001"})).entries
    assert entry.action is PlanAction.UPDATE
    assert entry.provider_id == "bpc_0001"
    assert {c.path for c in entry.changes} == {
        "metadata.portal_catalog_name",
        "metadata.portal_catalog_fingerprint",
    }


async def test_a_mapping_pointing_at_another_entrys_object_is_not_trusted() -> None:
    provider = await _provider_holding(catalog_of(pmo=payment_methods_only()))
    plan = await _plan(
        catalog_of(b2b=b2b_data(), pmo=payment_methods_only()), provider, {"b2b": "bpc_0001"}
    )
    assert _actions(plan) == [("b2b", PlanAction.CREATE), ("pmo", PlanAction.UNCHANGED)]


async def test_duplicates_of_a_name_are_deactivated_keeping_the_mapped_one() -> None:
    catalog = catalog_of(b2b=b2b_data())
    provider = await _provider_holding(catalog)
    await provider.create_configuration(
        to_stripe_params(catalog.get("b2b")), idempotency_key="again"
    )
    plan = await _plan(catalog, provider, {"b2b": "bpc_0002"})
    assert [(e.name, e.action, e.provider_id) for e in plan.entries] == [
        ("b2b", PlanAction.UNCHANGED, "bpc_0002"),
        ("b2b", PlanAction.DEACTIVATE, "bpc_0001"),
    ]


async def test_idempotency_keys_follow_the_name_the_content_and_the_providers_state() -> None:
    provider = await _provider_holding(catalog_of(b2b=b2b_data()))
    edited = b2b_data()
    edited["business_profile"]["headline"] = "B"
    [first] = (await _plan(catalog_of(b2b=edited), provider)).entries
    [again] = (await _plan(catalog_of(b2b=edited), provider)).entries
    assert first.idempotency_key == again.idempotency_key
    assert first.idempotency_key.startswith("portal-catalog:b2b:update:" + first.fingerprint)
    provider.edit_outside_catalog("bpc_0001", {"business_profile": {"headline": "C"}})
    [later] = (await _plan(catalog_of(b2b=edited), provider)).entries
    assert later.idempotency_key != first.idempotency_key
