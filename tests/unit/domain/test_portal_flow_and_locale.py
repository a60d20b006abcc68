"""Deep links into the portal and the locale passed to it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.unit.builders import NOW, a_subscription, an_item

from domain.capabilities import ConfigurationCapabilities
from domain.errors import FlowNotAllowed, UnsupportedLocale
from domain.locale import check_locale
from domain.portal_flow import FlowRequest, FlowType, PortalFlow, resolve_flow
from domain.subscription import Subscription

PMU = FlowType.PAYMENT_METHOD_UPDATE
CANCEL = FlowType.SUBSCRIPTION_CANCEL
UPDATE = FlowType.SUBSCRIPTION_UPDATE
CONFIRM = FlowType.SUBSCRIPTION_UPDATE_CONFIRM

EVERYTHING = ConfigurationCapabilities(
    payment_method_update=True,
    subscription_cancel=True,
    subscription_update=True,
    updatable_prices=frozenset({"price_monthly", "price_yearly"}),
    invoice_history=True,
    customer_update=True,
    quantity_updates=True,
)
PRICE_ONLY = ConfigurationCapabilities(
    subscription_update=True, updatable_prices=frozenset({"price_monthly", "price_yearly"})
)
PAYMENT_METHODS_ONLY = ConfigurationCapabilities(payment_method_update=True, invoice_history=True)
NO_CANCEL = ConfigurationCapabilities(
    payment_method_update=True,
    subscription_update=True,
    updatable_prices=frozenset({"price_yearly"}),
)
NOTHING = ConfigurationCapabilities()
ONE_ACTIVE = [a_subscription(id="sub_1", price_id="price_monthly")]


def resolve(
    request: FlowRequest,
    subscriptions: list[Subscription] = ONE_ACTIVE,
    capabilities: ConfigurationCapabilities = EVERYTHING,
) -> PortalFlow:
    return resolve_flow(request, subscriptions, capabilities, "b2c")


@pytest.mark.parametrize(
    ("request_", "capabilities", "expected"),
    [
        pytest.param(FlowRequest(PMU), EVERYTHING, PortalFlow(PMU), id="pmu-allowed"),
        pytest.param(
            FlowRequest(PMU), PAYMENT_METHODS_ONLY, PortalFlow(PMU), id="pmu-payment-methods-only"
        ),
        pytest.param(
            FlowRequest(CANCEL), EVERYTHING, PortalFlow(CANCEL, "sub_1"), id="cancel-allowed"
        ),
        pytest.param(
            FlowRequest(UPDATE), EVERYTHING, PortalFlow(UPDATE, "sub_1"), id="update-allowed"
        ),
        pytest.param(
            FlowRequest(CONFIRM, price_id="price_yearly"),
            EVERYTHING,
            PortalFlow(CONFIRM, "sub_1", "si_sub_1", "price_yearly"),
            id="confirm-allowed",
        ),
        pytest.param(
            FlowRequest(CONFIRM, price_id="price_monthly", quantity=3),
            EVERYTHING,
            PortalFlow(CONFIRM, "sub_1", "si_sub_1", "price_monthly", 3),
            id="confirm-same-price-new-quantity",
        ),
        pytest.param(
            FlowRequest(CONFIRM, price_id="price_yearly"),
            NO_CANCEL,
            PortalFlow(CONFIRM, "sub_1", "si_sub_1", "price_yearly"),
            id="confirm-without-cancel-feature",
        ),
        pytest.param(
            FlowRequest(CONFIRM, price_id="price_yearly", quantity=1),
            PRICE_ONLY,
            PortalFlow(CONFIRM, "sub_1", "si_sub_1", "price_yearly", 1),
            id="confirm-price-only-keeping-the-quantity",
        ),
        pytest.param(
            FlowRequest(CONFIRM, price_id="price_yearly", quantity=10_000),
            EVERYTHING,
            PortalFlow(CONFIRM, "sub_1", "si_sub_1", "price_yearly", 10_000),
            id="confirm-largest-quantity",
        ),
    ],
)
def test_allowed_flows(
    request_: FlowRequest, capabilities: ConfigurationCapabilities, expected: PortalFlow
) -> None:
    assert resolve(request_, capabilities=capabilities) == expected


@pytest.mark.parametrize(
    ("flow", "capabilities", "label"),
    [
        pytest.param(PMU, NOTHING, "payment method updates", id="pmu-refused"),
        pytest.param(
            CANCEL, PAYMENT_METHODS_ONLY, "cancellation", id="cancel-refused-payment-methods-only"
        ),
        pytest.param(CANCEL, NO_CANCEL, "cancellation", id="cancel-refused"),
        pytest.param(UPDATE, PAYMENT_METHODS_ONLY, "plan changes", id="update-refused"),
        pytest.param(CONFIRM, PAYMENT_METHODS_ONLY, "plan changes", id="confirm-refused"),
    ],
)
def test_flows_the_configuration_does_not_allow(
    flow: FlowType, capabilities: ConfigurationCapabilities, label: str
) -> None:
    with pytest.raises(FlowNotAllowed) as refused:
        resolve(FlowRequest(flow, price_id="price_yearly"), capabilities=capabilities)
    assert refused.value.message == f"the 'b2c' portal configuration does not allow {label}"
    assert refused.value.field == "flow"


TWO_LIVE = [a_subscription(id="sub_a"), a_subscription(id="sub_b", status="trialing")]
ENDED = a_subscription(id="sub_old", status="canceled", ended_at=NOW - timedelta(days=9))
TWO_ITEMS = a_subscription(
    id="sub_1",
    items=(
        an_item(id="si_a", price_id="price_monthly"),
        an_item(id="si_b", price_id="price_addon"),
    ),
)


@pytest.mark.parametrize(
    ("request_", "subscriptions", "field", "words"),
    [
        pytest.param(
            FlowRequest(CANCEL, "sub_someone_else"),
            ONE_ACTIVE,
            "flow.subscription_id",
            "'sub_someone_else' does not belong",
            id="cancel-foreign-subscription",
        ),
        pytest.param(
            FlowRequest(PMU, "sub_someone_else"),
            ONE_ACTIVE,
            "flow.subscription_id",
            "does not belong",
            id="pmu-foreign-subscription",
        ),
        pytest.param(
            FlowRequest(UPDATE),
            TWO_LIVE,
            "flow.subscription_id",
            "2 live subscriptions; say which one",
            id="update-ambiguous",
        ),
        pytest.param(
            FlowRequest(CANCEL),
            TWO_LIVE,
            "flow.subscription_id",
            "say which one",
            id="cancel-ambiguous",
        ),
        pytest.param(
            FlowRequest(CANCEL),
            [ENDED],
            "flow.subscription_id",
            "no live subscription",
            id="cancel-nothing-live",
        ),
        pytest.param(
            FlowRequest(CANCEL),
            [],
            "flow.subscription_id",
            "no live subscription",
            id="cancel-no-subscription",
        ),
        pytest.param(
            FlowRequest(CANCEL, "sub_old"),
            [ENDED],
            "flow",
            "already ended or scheduled to cancel",
            id="cancel-ended",
        ),
        pytest.param(
            FlowRequest(CANCEL),
            [a_subscription(cancel_at_period_end=True)],
            "flow",
            "already ended or scheduled to cancel",
            id="cancel-already-cancelling",
        ),
        pytest.param(
            FlowRequest(CANCEL),
            [a_subscription(cancel_at=NOW + timedelta(days=20))],
            "flow",
            "scheduled to cancel",
            id="cancel-already-scheduled-at-date",
        ),
        pytest.param(
            FlowRequest(UPDATE),
            [a_subscription(status="past_due")],
            "flow",
            "past_due; only active or trialing",
            id="update-past-due",
        ),
        pytest.param(
            FlowRequest(CONFIRM, price_id="price_yearly"),
            [a_subscription(status="paused")],
            "flow",
            "paused",
            id="confirm-paused",
        ),
        pytest.param(
            FlowRequest(CONFIRM),
            ONE_ACTIVE,
            "flow.price_id",
            "needs flow.price_id",
            id="confirm-missing-price",
        ),
        pytest.param(
            FlowRequest(CONFIRM, price_id=""),
            ONE_ACTIVE,
            "flow.price_id",
            "needs flow.price_id",
            id="confirm-empty-price",
        ),
        pytest.param(
            FlowRequest(CONFIRM, price_id="price_secret_discount"),
            ONE_ACTIVE,
            "flow.price_id",
            "'price_secret_discount' is not offered by the 'b2c'",
            id="confirm-price-not-offered",
        ),
        pytest.param(
            FlowRequest(CONFIRM, price_id="price_monthly"),
            ONE_ACTIVE,
            "flow.price_id",
            "already on 'price_monthly'",
            id="confirm-same-price",
        ),
        pytest.param(
            FlowRequest(CONFIRM, price_id="price_monthly", quantity=1),
            ONE_ACTIVE,
            "flow.price_id",
            "already on",
            id="confirm-same-price-same-quantity",
        ),
        pytest.param(
            FlowRequest(CONFIRM, price_id="price_yearly", quantity=0),
            ONE_ACTIVE,
            "flow.quantity",
            "between 1 and 10000",
            id="confirm-zero-quantity",
        ),
        pytest.param(
            FlowRequest(CONFIRM, price_id="price_yearly", quantity=10**30),
            ONE_ACTIVE,
            "flow.quantity",
            "between 1 and 10000",
            id="confirm-quantity-10^30",
        ),
        pytest.param(
            FlowRequest(CONFIRM, price_id="price_yearly"),
            [TWO_ITEMS],
            "flow",
            "has 2 items",
            id="confirm-multi-item",
        ),
    ],
)
def test_refused_deep_links_name_the_field(
    request_: FlowRequest, subscriptions: list[Subscription], field: str, words: str
) -> None:
    with pytest.raises(FlowNotAllowed) as refused:
        resolve(request_, subscriptions)
    assert refused.value.field == field
    assert words in refused.value.message


def test_explicit_subscription_id_picks_among_several_live_ones() -> None:
    assert resolve(FlowRequest(CANCEL, "sub_b"), TWO_LIVE) == PortalFlow(CANCEL, "sub_b")


def test_pmu_needs_no_subscription_at_all() -> None:
    assert resolve(FlowRequest(PMU), []) == PortalFlow(PMU)


def test_update_for_a_trialing_subscription() -> None:
    sub = a_subscription(id="sub_t", status="trialing")
    assert resolve(FlowRequest(UPDATE), [sub, ENDED]) == PortalFlow(UPDATE, "sub_t")


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        pytest.param(None, None, id="none"),
        pytest.param("auto", "auto", id="auto"),
        pytest.param("en", "en", id="en"),
        pytest.param("fr-CA", "fr-CA", id="region"),
        pytest.param("es-419", "es-419", id="numeric-region"),
        pytest.param("pt-br", "pt-BR", id="lowercase-is-stripe-spelling"),
        pytest.param("ZH-tw", "zh-TW", id="any-case"),
    ],
)
def test_accepted_locales(locale: str | None, expected: str | None) -> None:
    assert check_locale(locale) == expected


@pytest.mark.parametrize("locale", ["", "en-US", "xx", "fr_CA", "en-GB;q=0.8", "auto ", "klingon"])
def test_refused_locales_say_what_to_use(locale: str) -> None:
    with pytest.raises(UnsupportedLocale) as refused:
        check_locale(locale)
    assert refused.value.field == "locale"
    assert "'auto'" in refused.value.message


@pytest.mark.parametrize("price", ["price_monthly", "price_yearly"])
def test_a_quantity_change_is_refused_where_the_configuration_allows_only_price(
    price: str,
) -> None:
    with pytest.raises(FlowNotAllowed) as refused:
        resolve(FlowRequest(CONFIRM, price_id=price, quantity=3), capabilities=PRICE_ONLY)

    assert refused.value.field == "flow.quantity"
    assert "'b2c' portal configuration does not allow quantity changes" in refused.value.message
