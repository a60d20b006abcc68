"""The shipped portal-configurations.toml, and how the loader reports broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.catalog.toml_catalog import load_catalog
from application.errors import CatalogInvalid
from application.ports.portal_catalog import PortalCatalog

EXAMPLE = Path(__file__).parents[3] / "portal-configurations.toml"


@pytest.fixture(scope="module")
def shipped():
    return load_catalog(EXAMPLE)


def test_the_example_declares_every_configuration_the_policy_chooses(shipped) -> None:
    assert set(shipped.names()) == {
        "b2b",
        "b2c",
        "payment_methods_only",
        "b2b_restricted",
        "b2c_restricted",
    }


def test_b2b_customers_change_price_and_quantity_b2c_only_price(shipped) -> None:
    b2b = shipped.get("b2b").features.subscription_update
    b2c = shipped.get("b2c").features.subscription_update
    assert b2b.default_allowed_updates == ("price", "quantity")
    assert b2b.proration_behavior == "create_prorations"
    assert b2c.default_allowed_updates == ("price",)
    assert shipped.get("b2b").features.customer_update.allowed_updates.count("tax_id") == 1


def test_b2b_cancels_at_period_end_with_reasons(shipped) -> None:
    cancel = shipped.get("b2b").features.subscription_cancel
    assert (cancel.enabled, cancel.mode) == (True, "at_period_end")
    assert cancel.cancellation_reason.enabled
    assert "too_expensive" in cancel.cancellation_reason.options


def test_payment_methods_only_offers_payment_methods_and_invoices_only(shipped) -> None:
    capabilities = shipped.capabilities("payment_methods_only")
    assert capabilities.payment_method_update
    assert capabilities.invoice_history
    assert not capabilities.subscription_update
    assert not capabilities.subscription_cancel
    assert not capabilities.customer_update


@pytest.mark.parametrize("name", ["b2b_restricted", "b2c_restricted"])
def test_restricted_variants_allow_no_plan_change_and_ask_why(shipped, name: str) -> None:
    capabilities = shipped.capabilities(name)
    assert not capabilities.subscription_update
    assert capabilities.updatable_prices == frozenset()
    assert capabilities.updatable_price_lookup_keys == frozenset()
    assert shipped.get(name).features.subscription_cancel.cancellation_reason.enabled


def test_the_example_offers_the_seed_plans_by_lookup_key_not_by_account_specific_id(
    shipped,
) -> None:
    assert shipped.all_price_ids() == ()
    assert shipped.all_price_lookup_keys() == (
        "basic_monthly",
        "basic_yearly",
        "pro_monthly",
        "pro_yearly",
    )
    b2c = shipped.capabilities("b2c")
    assert b2c.updatable_price_lookup_keys == frozenset(shipped.all_price_lookup_keys())
    assert b2c.updatable_prices == frozenset()
    products = [p.product for p in shipped.get("b2c").features.subscription_update.products]
    assert products == ["prod_demo_basic", "prod_demo_pro"]


def test_the_business_profile_and_return_url_come_from_defaults(shipped) -> None:
    for configuration in shipped:
        assert configuration.default_return_url == "http://localhost:8000/billing"
        assert configuration.business_profile.headline


def test_the_catalog_serves_as_the_portal_catalog_port(shipped) -> None:
    port: PortalCatalog = shipped
    assert port.capabilities("enterprise") is None
    assert port.capabilities("b2b") is not None


def test_a_missing_file_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(
        CatalogInvalid, match=r"nowhere\.toml: portal configuration catalog not found"
    ):
        load_catalog(missing)


def test_a_toml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    path.write_text("[configurations.b2c]\ndefault_return_url = \n", encoding="utf-8")
    with pytest.raises(CatalogInvalid) as caught:
        load_catalog(path)
    assert str(path) in caught.value.message
    assert "line 2" in caught.value.message


def test_a_rule_broken_in_the_file_is_reported_with_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    path.write_text(
        '[configurations.b2c.features.subscription_cancel]\nenabled = true\nmode = "later"\n',
        encoding="utf-8",
    )
    with pytest.raises(CatalogInvalid) as caught:
        load_catalog(path)
    assert caught.value.message == (
        f"{path}: [configurations.b2c] features.subscription_cancel.mode: "
        "'later' is not one of at_period_end, immediately"
    )
