"""Every catalog rule: a bad input and the message naming file, configuration and field."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.catalog.builders import SOURCE, b2b_data, catalog_of

from domain.catalog import CatalogError, parse_catalog

REASONS = (
    "too_expensive, missing_features, switched_service, unused, customer_service, "
    "too_complex, low_quality, other"
)
FEATURES = "features."
CANCEL = "features.subscription_cancel."
UPDATE = "features.subscription_update."


def _set(data: dict[str, Any], path: str, value: object) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value


def _eleven_products() -> list[dict[str, Any]]:
    return [{"product": f"prod_{i}", "prices": [f"price_{i}"]} for i in range(11)]


CASES = [
    (
        CANCEL + "cancellation_reason.options",
        ["too_expensive", "other", "bored"],
        CANCEL + f"cancellation_reason.options[2]: 'bored' is not one of {REASONS}",
    ),
    (
        CANCEL + "cancellation_reason.options",
        ["other", "other"],
        CANCEL + "cancellation_reason.options[1]: 'other' is listed twice",
    ),
    (
        CANCEL + "cancellation_reason.options",
        [],
        CANCEL + "cancellation_reason.options: must list at least one reason when enabled",
    ),
    (
        CANCEL + "mode",
        "later",
        CANCEL + "mode: 'later' is not one of at_period_end, immediately",
    ),
    (
        CANCEL + "proration_behavior",
        "create_prorations",
        CANCEL + "proration_behavior: 'create_prorations' needs mode = 'immediately' "
        "(Stripe prorates only immediate cancellations)",
    ),
    (
        CANCEL + "proration_behavior",
        "always_invoice",
        CANCEL + "proration_behavior: Stripe refuses 'always_invoice' for cancellations",
    ),
    (
        FEATURES + "customer_update.allowed_updates",
        ["email", "password"],
        FEATURES + "customer_update.allowed_updates[1]: 'password' is not one of "
        "email, address, shipping, phone, tax_id, name",
    ),
    (
        FEATURES + "customer_update.allowed_updates",
        [],
        FEATURES + "customer_update.allowed_updates: must list at least one update when enabled",
    ),
    (
        FEATURES + "invoice_history.enabled",
        "yes",
        FEATURES + "invoice_history.enabled: must be true or false, not 'yes'",
    ),
    (
        FEATURES + "invoice_history.enable",
        True,
        FEATURES + "invoice_history.enable: unknown field; expected one of enabled",
    ),
    (
        FEATURES + "subscription_pause",
        {"enabled": True},
        FEATURES + "subscription_pause: unknown field; expected one of customer_update, "
        "invoice_history, payment_method_update, subscription_cancel, subscription_update",
    ),
    (
        UPDATE + "proration_behavior",
        "sometimes",
        UPDATE + "proration_behavior: 'sometimes' is not one of "
        "none, create_prorations, always_invoice",
    ),
    (
        UPDATE + "default_allowed_updates",
        ["price", "plan"],
        UPDATE + "default_allowed_updates[1]: 'plan' is not one of price, quantity, promotion_code",
    ),
    (
        UPDATE + "default_allowed_updates",
        [],
        UPDATE + "default_allowed_updates: must list at least one update when enabled",
    ),
    (
        UPDATE + "products",
        [],
        UPDATE + "products: must list at least one product when enabled",
    ),
    (
        UPDATE + "products",
        _eleven_products(),
        UPDATE + "products: lists 11 products; Stripe allows at most 10",
    ),
    (
        UPDATE + "products",
        [{"product": "prod_demo_basic", "prices": []}],
        UPDATE + "products[0].prices: "
        "must list at least one price id (prices) or lookup key (price_lookup_keys)",
    ),
    (
        UPDATE + "products",
        [{"product": "prod_demo_basic", "prices": [], "price_lookup_keys": []}],
        UPDATE + "products[0].prices: "
        "must list at least one price id (prices) or lookup key (price_lookup_keys)",
    ),
    (
        UPDATE + "products",
        [{"product": "prod_demo_basic", "price_lookup_keys": ["basic_monthly", " "]}],
        UPDATE + "products[0].price_lookup_keys[1]: must be a price lookup key, not ' '",
    ),
    (
        UPDATE + "products",
        [{"product": "prod_demo_basic", "price_lookup_keys": "basic_monthly"}],
        UPDATE + "products[0].price_lookup_keys: must be a list, not 'basic_monthly'",
    ),
    (
        UPDATE + "products",
        [{"product": "prod_demo_basic", "price_lookup_keys": ["k" * 201]}],
        UPDATE + "products[0].price_lookup_keys[0]: lookup keys are at most 200 characters",
    ),
    (
        UPDATE + "products",
        [
            {"product": "prod_demo_basic", "price_lookup_keys": ["monthly"]},
            {"product": "prod_demo_pro", "price_lookup_keys": ["monthly"]},
        ],
        UPDATE + "products[1].price_lookup_keys[0]: 'monthly' is listed twice",
    ),
    (
        UPDATE + "products",
        [{"product": "prod_demo_basic", "prices": ["price_x"], "lookup_keys": ["basic_monthly"]}],
        UPDATE + "products[0].lookup_keys: unknown field; "
        "expected one of product, prices, price_lookup_keys",
    ),
    (
        UPDATE + "products",
        [{"prices": ["price_x"]}],
        UPDATE + "products[0].product: required",
    ),
    (
        UPDATE + "products",
        [{"product": "prod_a", "prices": ["p1"]}, {"product": "prod_a", "prices": ["p2"]}],
        UPDATE + "products[1].product: 'prod_a' is listed twice",
    ),
    (
        UPDATE + "products",
        [{"product": "prod_a", "prices": ["p1"]}, {"product": "prod_b", "prices": ["p1"]}],
        UPDATE + "products[1].prices[0]: 'p1' is listed twice",
    ),
    (
        UPDATE + "schedule_at_period_end",
        {"conditions": [{"type": "decreasing_item_amount"}, {"type": "weekends"}]},
        UPDATE + "schedule_at_period_end.conditions[1].type: 'weekends' is not one of "
        "decreasing_item_amount, shortening_interval",
    ),
    (
        "business_profile.privacy_policy_url",
        "example.com/privacy",
        "business_profile.privacy_policy_url: 'example.com/privacy' is not an absolute http(s) URL",
    ),
    (
        "default_return_url",
        "javascript:alert(1)",
        "default_return_url: 'javascript:alert(1)' is not an absolute http(s) URL",
    ),
    (
        "business_profile.headline",
        "  ",
        "business_profile.headline: must be a non-empty string, not '  '",
    ),
    (
        "metadata.portal_catalog_name",
        "b2c",
        "metadata.portal_catalog_name: is reserved: "
        "the catalog writes it to identify the configuration",
    ),
    (
        "metadata.tier",
        3,
        "metadata.tier: must be a non-empty string of at most 500 characters",
    ),
    (
        "login_page",
        {"enabled": True},
        "login_page: unknown field; expected one of "
        "business_profile, default_return_url, features, metadata",
    ),
]


@pytest.mark.parametrize(
    ("path", "value", "message"), CASES, ids=[c[0] + "=" + repr(c[1])[:30] for c in CASES]
)
def test_a_broken_rule_names_file_configuration_and_field(
    path: str, value: object, message: str
) -> None:
    data = b2b_data()
    _set(data, path, value)
    with pytest.raises(CatalogError) as caught:
        catalog_of(b2b=data)
    assert [str(p) for p in caught.value.problems] == [f"{SOURCE}: [configurations.b2b] {message}"]


def test_every_problem_is_reported_not_only_the_first() -> None:
    bad = b2b_data()
    _set(bad, CANCEL + "mode", "later")
    _set(bad, CANCEL + "cancellation_reason.options", ["bored"])
    other = b2b_data()
    _set(other, UPDATE + "proration_behavior", "sometimes")
    with pytest.raises(CatalogError) as caught:
        catalog_of(b2b=bad, b2c=other)
    fields = [(p.configuration, p.field) for p in caught.value.problems]
    assert fields == [
        ("b2b", CANCEL + "mode"),
        ("b2b", CANCEL + "cancellation_reason.options[0]"),
        ("b2c", UPDATE + "proration_behavior"),
    ]
    assert caught.value.message.startswith("3 problems in the portal configuration catalog:\n")
    assert f"{SOURCE}: [configurations.b2c] {UPDATE}proration_behavior" in caught.value.message


def test_proration_on_cancellation_is_fine_when_immediate() -> None:
    data = b2b_data()
    _set(data, CANCEL + "mode", "immediately")
    _set(data, CANCEL + "proration_behavior", "create_prorations")
    cancel = catalog_of(b2b=data).get("b2b").features.subscription_cancel
    assert (cancel.mode, cancel.proration_behavior) == ("immediately", "create_prorations")


def test_ten_products_are_allowed() -> None:
    data = b2b_data()
    _set(data, UPDATE + "products", _eleven_products()[:10])
    assert len(catalog_of(b2b=data).get("b2b").features.subscription_update.products) == 10


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "configurations: declare at least one [configurations.NAME] table"),
        (
            {"configurations": {}},
            "configurations: declare at least one [configurations.NAME] table",
        ),
        (
            {"configurations": {"b2c": {}}, "configuration": {}},
            "configuration: unknown field; expected one of defaults, configurations",
        ),
        (
            {"configurations": {"B2C!": {}}},
            "[configurations.B2C!]: the name must be 1-40 lowercase letters, digits, '_' or '-'",
        ),
        ({"configurations": {"b2c": 3}}, "[configurations.b2c]: must be a table"),
    ],
)
def test_file_level_problems(data: dict[str, Any], message: str) -> None:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(data, source=SOURCE)
    assert [str(p) for p in caught.value.problems] == [f"{SOURCE}: {message}"]


def test_defaults_apply_under_every_configuration_and_can_be_overridden() -> None:
    catalog = parse_catalog(
        {
            "defaults": {"business_profile": {"headline": "Billing"}, "metadata": {"team": "x"}},
            "configurations": {
                "a": {},
                "b": {"business_profile": {"headline": "Other"}, "metadata": {"tier": "1"}},
            },
        },
        source=SOURCE,
    )
    assert catalog.get("a").business_profile.headline == "Billing"
    assert catalog.get("b").business_profile.headline == "Other"
    assert dict(catalog.get("b").metadata) == {"team": "x", "tier": "1"}


def test_a_product_may_offer_prices_by_id_and_by_lookup_key() -> None:
    data = b2b_data()
    _set(
        data,
        UPDATE + "products",
        [
            {
                "product": "prod_demo_basic",
                "prices": ["price_legacy"],
                "price_lookup_keys": ["basic"],
            },
            {"product": "prod_demo_pro", "price_lookup_keys": ["pro_monthly", "pro_yearly"]},
        ],
    )
    update = catalog_of(b2b=data).get("b2b").features.subscription_update
    assert update.price_ids == ("price_legacy",)
    assert update.price_lookup_keys == ("basic", "pro_monthly", "pro_yearly")
