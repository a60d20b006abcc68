"""A PortalPolicy that could not honour the rules table refuses to exist."""

from __future__ import annotations

import pytest

from domain.portal_policy import DEFAULT_RULE_ORDER, PortalPolicy, PortalRule

NB, SEG = PortalRule.NO_BILLING_ACCOUNT, PortalRule.SEGMENT


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"rules": ()}, "must end with 'segment'", id="no-rules"),
        pytest.param({"rules": (SEG, NB)}, "must end with 'segment'", id="segment-not-last"),
        pytest.param({"rules": (NB,)}, "must end with 'segment'", id="segment-missing"),
        pytest.param({"rules": (NB, NB, SEG)}, "only once", id="duplicate-rule"),
        pytest.param({"rules": (SEG, SEG)}, "only once", id="duplicate-segment"),
        pytest.param(
            {"rules": ("no_billing_account", "vip_lane", "segment")},
            "unknown portal rule",
            id="unknown-rule-name",
        ),
        pytest.param({"tenure_months": -1}, "tenure_months", id="negative-tenure"),
        pytest.param(
            {"segment_configurations": {"edu": "education"}},
            "'education' needs a restricted variant",
            id="segment-configuration-without-restricted-variant",
        ),
        pytest.param(
            {"default_configuration": "starter"},
            "'starter' needs a restricted variant",
            id="default-configuration-without-restricted-variant",
        ),
        pytest.param(
            {"restricted_variants": {"b2b": "b2b", "b2c": "b2c_restricted"}},
            "'b2b' needs a restricted variant",
            id="restricted-variant-is-the-same-configuration",
        ),
    ],
)
def test_invalid_policy_is_refused_with_a_message(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PortalPolicy(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({}, id="defaults"),
        pytest.param({"rules": (SEG,)}, id="segment-alone"),
        pytest.param({"rules": (*tuple(reversed(DEFAULT_RULE_ORDER[:-1])), SEG)}, id="reversed"),
        pytest.param(
            {"tenure_months": 0, "segment_configurations": {"edu": "education"}},
            id="tenure-off-needs-no-variant",
        ),
    ],
)
def test_valid_policies_are_accepted(kwargs: dict[str, object]) -> None:
    assert PortalPolicy(**kwargs).rules[-1] is SEG  # type: ignore[arg-type]


def test_rule_names_given_as_strings_behave_as_rules() -> None:
    policy = PortalPolicy(rules=("multiple_subscriptions", "segment"))  # type: ignore[arg-type]
    assert policy.rules == (PortalRule.MULTIPLE_SUBSCRIPTIONS, SEG)


def test_changing_the_callers_mapping_does_not_change_the_policy() -> None:
    mapping = {"b2c": "b2c"}
    policy = PortalPolicy(segment_configurations=mapping)
    mapping["b2c"] = "b2b"
    assert policy.segment_configurations["b2c"] == "b2c"


def test_configuration_names_are_every_name_the_policy_can_choose() -> None:
    assert PortalPolicy().configuration_names() == {
        "b2b",
        "b2c",
        "b2b_restricted",
        "b2c_restricted",
        "payment_methods_only",
    }
