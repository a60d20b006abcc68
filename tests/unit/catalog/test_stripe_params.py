"""A catalog entry as Stripe's create/update parameters, and its fingerprint."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.unit.catalog.builders import b2b_data, catalog_of, payment_methods_only

from domain.catalog import fingerprint, to_stripe_params, update_params
from domain.catalog.model import CANCELLATION_REASONS, CUSTOMER_UPDATE_FIELDS


def test_create_params_are_exactly_what_stripe_accepts() -> None:
    configuration = catalog_of(b2b=b2b_data()).get("b2b")
    assert to_stripe_params(configuration) == {
        "name": "b2b",
        "business_profile": {"headline": "Manage your subscription"},
        "default_return_url": "http://localhost:8000/billing",
        "features": {
            "customer_update": {"enabled": True, "allowed_updates": ["email", "tax_id"]},
            "invoice_history": {"enabled": True},
            "payment_method_update": {"enabled": True},
            "subscription_cancel": {
                "enabled": True,
                "mode": "at_period_end",
                "proration_behavior": "none",
                "cancellation_reason": {"enabled": True, "options": ["too_expensive", "other"]},
            },
            "subscription_update": {
                "enabled": True,
                "products": [
                    {
                        "product": "prod_demo_basic",
                        "prices": ["price_basic_monthly", "price_basic_yearly"],
                    },
                    {"product": "prod_demo_pro", "prices": ["price_pro_monthly"]},
                ],
                "default_allowed_updates": ["price", "quantity"],
                "proration_behavior": "create_prorations",
            },
        },
        "metadata": {
            "segment": "b2b",
            "portal_catalog_name": "b2b",
            "portal_catalog_fingerprint": fingerprint(configuration),
        },
    }


def test_disabled_features_are_sent_disabled_without_empty_lists() -> None:
    params = to_stripe_params(catalog_of(pmo=payment_methods_only()).get("pmo"))
    assert params["features"] == {
        "customer_update": {"enabled": False},
        "invoice_history": {"enabled": False},
        "payment_method_update": {"enabled": True},
        "subscription_cancel": {
            "enabled": False,
            "mode": "at_period_end",
            "proration_behavior": "none",
        },
        "subscription_update": {"enabled": False, "proration_behavior": "none"},
    }
    assert "business_profile" not in params
    assert "default_return_url" not in params


def test_schedule_conditions_use_stripe_nesting() -> None:
    data = b2b_data()
    data["features"]["subscription_update"]["schedule_at_period_end"] = {
        "conditions": [{"type": "decreasing_item_amount"}, {"type": "shortening_interval"}]
    }
    params = to_stripe_params(catalog_of(b2b=data).get("b2b"))
    assert params["features"]["subscription_update"]["schedule_at_period_end"] == {
        "conditions": [{"type": "decreasing_item_amount"}, {"type": "shortening_interval"}]
    }


def test_update_params_clear_what_the_catalog_no_longer_sets() -> None:
    params = update_params(catalog_of(pmo=payment_methods_only()).get("pmo"), ["old_key"])
    assert params["business_profile"] == {
        "headline": "",
        "privacy_policy_url": "",
        "terms_of_service_url": "",
    }
    assert params["default_return_url"] == ""
    update = params["features"]["subscription_update"]
    assert update["products"] == ""
    assert update["default_allowed_updates"] == ""
    assert update["schedule_at_period_end"] == {"conditions": ""}
    assert params["metadata"]["old_key"] == ""


def test_the_fingerprint_is_a_sha256_that_ignores_key_and_set_order() -> None:
    data = b2b_data()
    reordered = {key: data[key] for key in reversed(list(data))}
    reordered["features"] = {k: data["features"][k] for k in reversed(list(data["features"]))}
    reordered["features"]["customer_update"] = {
        "allowed_updates": ["tax_id", "email"],
        "enabled": True,
    }
    first = fingerprint(catalog_of(b2b=data).get("b2b"))
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert fingerprint(catalog_of(b2b=reordered).get("b2b")) == first


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("business_profile", "headline"), "Billing"),
        (("features", "invoice_history", "enabled"), False),
        (("features", "subscription_update", "default_allowed_updates"), ["price"]),
        (("metadata", "segment"), "enterprise"),
    ],
)
def test_the_fingerprint_changes_with_the_content(path: tuple[str, ...], value: object) -> None:
    data = b2b_data()
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    before = fingerprint(catalog_of(b2b=b2b_data()).get("b2b"))
    assert fingerprint(catalog_of(b2b=data).get("b2b")) != before


def test_the_same_content_under_another_name_has_another_fingerprint() -> None:
    catalog = catalog_of(b2b=b2b_data(), enterprise=b2b_data())
    assert fingerprint(catalog.get("b2b")) != fingerprint(catalog.get("enterprise"))


def test_the_fingerprint_is_pinned_across_runs() -> None:
    # A changed algorithm would make every applied configuration look out of date.
    pinned = "9d29cbbc0dc8cb3c4c9818cc70f2fb9c82e4a9a7fe43ea98df839f2145714fb9"
    assert fingerprint(catalog_of(pmo=payment_methods_only()).get("pmo")) == pinned


@given(
    reasons=st.lists(st.sampled_from(CANCELLATION_REASONS), min_size=1, unique=True),
    updates=st.lists(st.sampled_from(CUSTOMER_UPDATE_FIELDS), min_size=1, unique=True),
    data=st.data(),
)
def test_reordering_unordered_lists_never_changes_the_fingerprint(
    reasons: list[str], updates: list[str], data: st.DataObject
) -> None:
    def with_lists(r: list[str], u: list[str]) -> str:
        config = b2b_data()
        config["features"]["subscription_cancel"]["cancellation_reason"]["options"] = r
        config["features"]["customer_update"]["allowed_updates"] = u
        return fingerprint(catalog_of(b2b=config).get("b2b"))

    shuffled_reasons = data.draw(st.permutations(reasons))
    shuffled_updates = data.draw(st.permutations(updates))
    assert with_lists(reasons, updates) == with_lists(
        list(shuffled_reasons), list(shuffled_updates)
    )
