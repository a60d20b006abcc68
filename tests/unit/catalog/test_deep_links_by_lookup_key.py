"""Deep links to a plan the catalog offers by lookup key (subscription_update_confirm)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.builders import a_subscription
from tests.unit.catalog.builders import b2b_data, catalog_of

from adapters.catalog.toml_catalog import load_catalog
from domain.catalog import Catalog
from domain.errors import FlowNotAllowed
from domain.portal_flow import FlowRequest, FlowType, PortalFlow, resolve_flow

EXAMPLE = Path(__file__).parents[3] / "portal-configurations.toml"
CONFIRM = FlowType.SUBSCRIPTION_UPDATE_CONFIRM
ON_BASIC = [a_subscription(id="sub_1", price_id="price_1Qbasic_monthly")]


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    return load_catalog(EXAMPLE)


def confirm(catalog: Catalog, name: str, price: str, quantity: int | None = None) -> PortalFlow:
    capabilities = catalog.capabilities(name)
    assert capabilities is not None
    return resolve_flow(FlowRequest(CONFIRM, None, price, quantity), ON_BASIC, capabilities, name)


def test_a_plan_offered_by_lookup_key_is_requested_by_that_key(shipped: Catalog) -> None:
    flow = confirm(shipped, "b2b", "pro_yearly", quantity=3)
    item_id = ON_BASIC[0].items[0].id
    assert flow == PortalFlow(
        CONFIRM, "sub_1", item_id, price_id=None, quantity=3, price_lookup_key="pro_yearly"
    )


def test_a_price_id_is_refused_where_the_plans_are_offered_by_key_and_the_keys_are_named(
    shipped: Catalog,
) -> None:
    with pytest.raises(FlowNotAllowed) as caught:
        confirm(shipped, "b2c", "price_1Qpro_yearly")
    assert caught.value.field == "flow.price_id"
    assert caught.value.message == (
        "price 'price_1Qpro_yearly' is not offered by the 'b2c' configuration; it offers "
        "prices by lookup key, pass one of: basic_monthly, basic_yearly, pro_monthly, pro_yearly"
    )


def test_a_key_the_configuration_does_not_offer_is_refused(shipped: Catalog) -> None:
    with pytest.raises(FlowNotAllowed, match="'api_calls_metered' is not offered"):
        confirm(shipped, "b2c", "api_calls_metered")


@pytest.mark.parametrize("name", ["b2b_restricted", "b2c_restricted", "payment_methods_only"])
def test_no_key_opens_a_plan_change_where_plan_changes_are_off(shipped: Catalog, name: str) -> None:
    with pytest.raises(FlowNotAllowed, match="does not allow plan changes"):
        confirm(shipped, name, "pro_monthly")


def test_ids_and_keys_can_be_offered_side_by_side() -> None:
    data = b2b_data()
    data["features"]["subscription_update"]["products"] = [
        {"product": "prod_demo_basic", "prices": ["price_legacy"], "price_lookup_keys": ["basic"]},
    ]
    catalog = catalog_of(b2b=data)
    by_id, by_key = confirm(catalog, "b2b", "price_legacy"), confirm(catalog, "b2b", "basic")
    assert (by_id.price_id, by_id.price_lookup_key) == ("price_legacy", None)
    assert (by_key.price_id, by_key.price_lookup_key) == (None, "basic")
    with pytest.raises(FlowNotAllowed, match=r"pass one of: basic$"):
        confirm(catalog, "b2b", "price_other")


def test_quantity_changes_follow_the_catalogs_default_allowed_updates(shipped: Catalog) -> None:
    """b2b lists ``quantity`` in default_allowed_updates; b2c lists only ``price``."""
    assert confirm(shipped, "b2b", "pro_monthly", quantity=5).quantity == 5
    assert confirm(shipped, "b2c", "pro_monthly", quantity=1).quantity == 1  # unchanged: fine
    with pytest.raises(FlowNotAllowed, match="'b2c' portal configuration does not allow quantity"):
        confirm(shipped, "b2c", "pro_monthly", quantity=5)
