"""The portal access policy, rule by rule, with its boundaries (the README's rules table)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.unit.builders import NOW, a_customer, a_subscription, a_yearly_subscription

from domain.calendar import add_months
from domain.customer import Customer
from domain.portal_decision import NoLinkedCustomer, PortalDecision, Redirect
from domain.portal_flow import FlowType
from domain.portal_policy import PortalPolicy, PortalRule, decide_portal_access
from domain.subscription import RecurringInterval, Subscription

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
INVOICE_URL = "https://invoice.stripe.com/i/acct_1/test_YWNjdF8x"
MULTIPLE = (("multiple_subscriptions", "true"),)


def summary(decision: PortalDecision) -> tuple[object, ...]:
    """What a user (or the API) sees of a decision, minus the prose."""
    if isinstance(decision, NoLinkedCustomer):
        return ("no_billing_account",)
    if isinstance(decision, Redirect):
        return ("redirect", decision.reason.value, decision.redirect_to, decision.subscription_id)
    return (
        "portal",
        decision.reason.value,
        decision.configuration,
        decision.default_flow,
        decision.subscription_id,
        decision.return_markers,
    )


def portal(
    reason: str,
    configuration: str,
    *,
    flow: FlowType | None = None,
    sub: str | None = "sub_1",
    markers: tuple[tuple[str, str], ...] = (),
) -> tuple[object, ...]:
    return ("portal", reason, configuration, flow, sub, markers)


def ended(status: str, period_end_offset: timedelta, **kw: object) -> Subscription:
    return a_subscription(status=status, period_end=NOW + period_end_offset, **kw)  # type: ignore[arg-type]


def months_before_now(months: int) -> object:
    return add_months(NOW, -months)


CASES: list[tuple[str, Customer | None, list[Subscription], tuple[object, ...]]] = [
    # 1. no billing account
    ("no-customer", None, [], ("no_billing_account",)),
    ("no-customer-even-with-subscriptions", None, [a_subscription()], ("no_billing_account",)),
    (
        "customer-without-stripe-id",
        a_customer(stripe_customer_id=None),
        [],
        ("no_billing_account",),
    ),
    (
        "customer-with-empty-stripe-id",
        a_customer(stripe_customer_id=""),
        [a_subscription()],
        ("no_billing_account",),
    ),
    # 2. never subscribed
    ("no-subscription-ever", a_customer(), [], ("redirect", "never_subscribed", "/pricing", None)),
    # 3. incomplete
    (
        "incomplete-with-hosted-invoice",
        a_customer(),
        [a_subscription(status="incomplete", latest_invoice_url=INVOICE_URL)],
        ("redirect", "incomplete_payment", INVOICE_URL, "sub_1"),
    ),
    (
        "incomplete-without-hosted-invoice-carries-subscription-id",
        a_customer(),
        [a_subscription(id="sub_9Xy", status="incomplete")],
        (
            "redirect",
            "incomplete_payment",
            "/billing/complete-payment?subscription=sub_9Xy",
            "sub_9Xy",
        ),
    ),
    (
        "live-subscription-outranks-newer-incomplete-one",
        a_customer(),
        [
            a_subscription(id="sub_old", created=NOW - 300 * DAY),
            a_subscription(id="sub_new", status="incomplete", created=NOW - DAY),
        ],
        ("portal", "segment", "b2c", None, "sub_old", ()),
    ),
    (
        "older-incomplete-behind-newer-active-is-ignored",
        a_customer(),
        [
            a_subscription(id="sub_old", status="incomplete", created=NOW - 30 * DAY),
            a_subscription(id="sub_new", created=NOW - DAY),
        ],
        portal("segment", "b2c", sub="sub_new"),
    ),
    # 4. every subscription ended
    (
        "canceled-period-over",
        a_customer(),
        [ended("canceled", -DAY)],
        ("redirect", "subscriptions_ended", "/reactivate", None),
    ),
    (
        "canceled-period-ends-exactly-now",
        a_customer(),
        [ended("canceled", timedelta(0))],
        ("redirect", "subscriptions_ended", "/reactivate", None),
    ),
    (
        "canceled-period-still-running",
        a_customer(),
        [ended("canceled", SECOND)],
        portal("segment", "b2c"),
    ),
    # Canceled immediately mid-period: access ended with the subscription, not at period end.
    (
        "canceled-immediately-before-period-end",
        a_customer(),
        [
            a_subscription(
                status="canceled",
                period_end=NOW + 20 * DAY,
                canceled_at=NOW - DAY,
                ended_at=NOW - DAY,
            )
        ],
        ("redirect", "subscriptions_ended", "/reactivate", None),
    ),
    (
        "incomplete-expired-period-over",
        a_customer(),
        [ended("incomplete_expired", -DAY)],
        ("redirect", "subscriptions_ended", "/reactivate", None),
    ),
    (
        "incomplete-expired-period-ends-exactly-now",
        a_customer(),
        [ended("incomplete_expired", timedelta(0))],
        ("redirect", "subscriptions_ended", "/reactivate", None),
    ),
    # Never paid, so it never had a paid period to run out: straight to reactivation.
    (
        "incomplete-expired-period-still-running",
        a_customer(),
        [ended("incomplete_expired", 20 * DAY)],
        ("redirect", "subscriptions_ended", "/reactivate", None),
    ),
    (
        "canceled-and-incomplete-expired-all-over",
        a_customer(),
        [ended("canceled", -30 * DAY, id="sub_a"), ended("incomplete_expired", -DAY, id="sub_b")],
        ("redirect", "subscriptions_ended", "/reactivate", None),
    ),
    (
        "one-ended-one-active",
        a_customer(),
        [
            ended("canceled", -DAY, id="sub_gone", created=NOW - 400 * DAY),
            a_subscription(created=NOW - 10 * DAY),
        ],
        portal("segment", "b2c"),
    ),
    # 5. payment overdue
    (
        "past-due",
        a_customer(),
        [a_subscription(status="past_due")],
        portal("payment_overdue", "b2c", flow=FlowType.PAYMENT_METHOD_UPDATE),
    ),
    (
        "unpaid",
        a_customer(),
        [a_subscription(status="unpaid")],
        portal("payment_overdue", "b2c", flow=FlowType.PAYMENT_METHOD_UPDATE),
    ),
    (
        "past-due-b2b",
        a_customer(segment="b2b"),
        [a_subscription(status="past_due")],
        portal("payment_overdue", "b2b", flow=FlowType.PAYMENT_METHOD_UPDATE),
    ),
    (
        "past-due-yearly-inside-tenure-keeps-restriction",
        a_customer(),
        [a_yearly_subscription(months_old=2, status="past_due")],
        portal("payment_overdue", "b2c_restricted", flow=FlowType.PAYMENT_METHOD_UPDATE),
    ),
    (
        "past-due-next-to-active",
        a_customer(),
        [
            a_subscription(id="sub_ok", created=NOW - 90 * DAY),
            a_subscription(id="sub_late", status="past_due", created=NOW - 60 * DAY),
        ],
        portal(
            "payment_overdue",
            "payment_methods_only",
            flow=FlowType.PAYMENT_METHOD_UPDATE,
            sub="sub_late",
            markers=MULTIPLE,
        ),
    ),
    # 6. several live subscriptions
    (
        "two-active",
        a_customer(segment="b2b"),
        [a_subscription(id="sub_a"), a_subscription(id="sub_b")],
        portal("multiple_subscriptions", "payment_methods_only", sub=None, markers=MULTIPLE),
    ),
    (
        "active-and-trialing",
        a_customer(),
        [a_subscription(id="sub_a"), a_subscription(id="sub_b", status="trialing")],
        portal("multiple_subscriptions", "payment_methods_only", sub=None, markers=MULTIPLE),
    ),
    (
        "unknown-status-next-to-active-counts-as-live",
        a_customer(),
        [a_subscription(id="sub_a"), a_subscription(id="sub_b", status="frozen_by_stripe")],
        portal("multiple_subscriptions", "payment_methods_only", sub=None, markers=MULTIPLE),
    ),
    # 7. segment
    (
        "segment-enterprise",
        a_customer(segment="enterprise"),
        [a_subscription()],
        portal("segment", "b2b"),
    ),
    ("segment-b2b", a_customer(segment="b2b"), [a_subscription()], portal("segment", "b2b")),
    ("segment-b2c", a_customer(segment="b2c"), [a_subscription()], portal("segment", "b2c")),
    (
        "segment-unknown-gets-default",
        a_customer(segment="gold"),
        [a_subscription()],
        portal("segment", "b2c"),
    ),
    (
        "segment-empty-gets-default",
        a_customer(segment=""),
        [a_subscription()],
        portal("segment", "b2c"),
    ),
    # 8. tenure
    (
        "yearly-5-months-old",
        a_customer(),
        [a_yearly_subscription(months_old=5)],
        portal("tenure_restricted", "b2c_restricted"),
    ),
    (
        "yearly-5-months-old-enterprise",
        a_customer(segment="enterprise"),
        [a_yearly_subscription(months_old=5)],
        portal("tenure_restricted", "b2b_restricted"),
    ),
    (
        "yearly-5-months-old-unknown-segment",
        a_customer(segment="gold"),
        [a_yearly_subscription(months_old=5)],
        portal("tenure_restricted", "b2c_restricted"),
    ),
    (
        "yearly-exactly-6-months-old",
        a_customer(),
        [a_yearly_subscription(months_old=6)],
        portal("segment", "b2c"),
    ),
    (
        "yearly-6-months-minus-one-second",
        a_customer(),
        [a_subscription(interval="year", start_date=add_months(NOW, -6) + SECOND)],
        portal("tenure_restricted", "b2c_restricted"),
    ),
    (
        "yearly-started-today",
        a_customer(),
        [a_yearly_subscription(months_old=0)],
        portal("tenure_restricted", "b2c_restricted"),
    ),
    (
        "yearly-2-years-old",
        a_customer(),
        [a_yearly_subscription(months_old=24)],
        portal("segment", "b2c"),
    ),
    (
        "monthly-young",
        a_customer(),
        [a_subscription(start_date=NOW - 10 * DAY)],
        portal("segment", "b2c"),
    ),
    (
        "twelve-month-interval-counts-as-yearly",
        a_customer(),
        [
            a_subscription(
                interval=RecurringInterval.MONTH, interval_count=12, start_date=add_months(NOW, -2)
            )
        ],
        portal("tenure_restricted", "b2c_restricted"),
    ),
    (
        "six-month-interval-is-not-yearly",
        a_customer(),
        [
            a_subscription(
                interval=RecurringInterval.MONTH, interval_count=6, start_date=add_months(NOW, -2)
            )
        ],
        portal("segment", "b2c"),
    ),
    (
        "trialing-yearly-young",
        a_customer(),
        [a_yearly_subscription(months_old=0, status="trialing")],
        portal("tenure_restricted", "b2c_restricted"),
    ),
    # statuses outside the numbered rules
    ("trialing", a_customer(), [a_subscription(status="trialing")], portal("segment", "b2c")),
    (
        "paused",
        a_customer(segment="b2b"),
        [a_subscription(status="paused")],
        portal("segment", "b2b"),
    ),
    (
        "unknown-status-alone",
        a_customer(),
        [a_subscription(status="frozen_by_stripe")],
        portal("unrecognised_status", "payment_methods_only", sub=None),
    ),
]


@pytest.mark.parametrize(
    ("customer", "subscriptions", "expected"),
    [pytest.param(c, s, e, id=i) for i, c, s, e in CASES],
)
def test_default_policy(
    customer: Customer | None, subscriptions: list[Subscription], expected: tuple[object, ...]
) -> None:
    decision = decide_portal_access(PortalPolicy(), customer, subscriptions, NOW)
    assert summary(decision) == expected


def test_subscription_order_does_not_change_the_decision() -> None:
    subs = [
        a_subscription(id="sub_a", status="past_due", created=NOW - 9 * DAY),
        a_subscription(id="sub_b", status="unpaid", created=NOW - 3 * DAY),
        ended("canceled", -DAY, id="sub_c"),
    ]
    decisions = {
        summary(decide_portal_access(PortalPolicy(), a_customer(), order, NOW))
        for order in (subs, subs[::-1])
    }
    assert decisions == {
        portal(
            "payment_overdue",
            "payment_methods_only",
            flow=FlowType.PAYMENT_METHOD_UPDATE,
            sub="sub_b",
            markers=MULTIPLE,
        )
    }


REORDERED = (
    PortalRule.MULTIPLE_SUBSCRIPTIONS,
    PortalRule.NO_BILLING_ACCOUNT,
    PortalRule.NEVER_SUBSCRIBED,
    PortalRule.INCOMPLETE_PAYMENT,
    PortalRule.SUBSCRIPTIONS_ENDED,
    PortalRule.PAYMENT_OVERDUE,
    PortalRule.SEGMENT,
)
ENDED_FIRST = (
    PortalRule.SUBSCRIPTIONS_ENDED,
    PortalRule.NO_BILLING_ACCOUNT,
    PortalRule.NEVER_SUBSCRIBED,
    PortalRule.SEGMENT,
)
CUSTOM_CASES: list[
    tuple[str, PortalPolicy, Customer | None, list[Subscription], tuple[object, ...]]
] = [
    (
        "multiple-before-overdue-drops-the-payment-flow",
        PortalPolicy(rules=REORDERED),
        a_customer(),
        [a_subscription(id="sub_a"), a_subscription(id="sub_b", status="past_due")],
        portal("multiple_subscriptions", "payment_methods_only", sub=None, markers=MULTIPLE),
    ),
    (
        "reordered-still-no-portal-without-customer",
        PortalPolicy(rules=REORDERED),
        None,
        [a_subscription(id="sub_a"), a_subscription(id="sub_b")],
        ("no_billing_account",),
    ),
    (
        "ended-rule-first-never-subscribed-is-not-reactivation",
        PortalPolicy(rules=ENDED_FIRST),
        a_customer(),
        [],
        ("redirect", "never_subscribed", "/pricing", None),
    ),
    (
        "only-segment-rule-still-refuses-without-customer",
        PortalPolicy(rules=(PortalRule.SEGMENT,)),
        a_customer(stripe_customer_id=None),
        [a_subscription()],
        ("no_billing_account",),
    ),
    (
        "only-segment-rule-decides-overdue-without-flow",
        PortalPolicy(rules=(PortalRule.SEGMENT,)),
        a_customer(),
        [a_subscription(status="past_due")],
        portal("segment", "b2c"),
    ),
    (
        "segment-mapping-changed",
        PortalPolicy(
            segment_configurations={"b2c": "b2b", "team": "b2b"}, default_configuration="b2b"
        ),
        a_customer(segment="b2c"),
        [a_subscription()],
        portal("segment", "b2b"),
    ),
    (
        "new-segment-with-its-own-restricted-variant",
        PortalPolicy(
            segment_configurations={"edu": "education"},
            restricted_variants={"education": "education_locked", "b2c": "b2c_restricted"},
        ),
        a_customer(segment="edu"),
        [a_yearly_subscription(months_old=1)],
        portal("tenure_restricted", "education_locked"),
    ),
    (
        "custom-pricing-path",
        PortalPolicy(pricing_path="/plans"),
        a_customer(),
        [],
        ("redirect", "never_subscribed", "/plans", None),
    ),
    (
        "custom-reactivation-path",
        PortalPolicy(reactivation_path="/welcome-back"),
        a_customer(),
        [ended("canceled", -DAY)],
        ("redirect", "subscriptions_ended", "/welcome-back", None),
    ),
    (
        "custom-complete-payment-path",
        PortalPolicy(complete_payment_path="/pay"),
        a_customer(),
        [a_subscription(status="incomplete")],
        ("redirect", "incomplete_payment", "/pay?subscription=sub_1", "sub_1"),
    ),
    (
        "custom-multiple-configuration",
        PortalPolicy(multiple_subscriptions_configuration="cards"),
        a_customer(),
        [a_subscription(id="a"), a_subscription(id="b")],
        portal("multiple_subscriptions", "cards", sub=None, markers=MULTIPLE),
    ),
    (
        "tenure-zero-disables",
        PortalPolicy(tenure_months=0),
        a_customer(),
        [a_yearly_subscription(months_old=0)],
        portal("segment", "b2c"),
    ),
    (
        "tenure-twelve-restricts-8-months",
        PortalPolicy(tenure_months=12),
        a_customer(),
        [a_yearly_subscription(months_old=8)],
        portal("tenure_restricted", "b2c_restricted"),
    ),
    (
        "tenure-twelve-ends-at-12-months",
        PortalPolicy(tenure_months=12),
        a_customer(),
        [a_yearly_subscription(months_old=12)],
        portal("segment", "b2c"),
    ),
]


@pytest.mark.parametrize(
    ("policy", "customer", "subscriptions", "expected"),
    [pytest.param(p, c, s, e, id=i) for i, p, c, s, e in CUSTOM_CASES],
)
def test_custom_policy(
    policy: PortalPolicy,
    customer: Customer | None,
    subscriptions: list[Subscription],
    expected: tuple[object, ...],
) -> None:
    assert summary(decide_portal_access(policy, customer, subscriptions, NOW)) == expected


@pytest.mark.parametrize(
    ("subscriptions", "segment", "words"),
    [
        pytest.param([], "b2c", ["never subscribed"], id="never"),
        pytest.param(
            [a_subscription(id="sub_Q", status="incomplete")],
            "b2c",
            ["sub_Q", "first payment"],
            id="incomplete",
        ),
        pytest.param([ended("canceled", -DAY)], "b2c", ["ended", "period is over"], id="ended"),
        pytest.param(
            [a_subscription(id="sub_Q", status="unpaid")],
            "b2c",
            ["sub_Q", "unpaid", "payment method"],
            id="overdue",
        ),
        pytest.param(
            [a_subscription(id="a"), a_subscription(id="b")],
            "b2c",
            ["2 live subscriptions"],
            id="multiple",
        ),
        pytest.param(
            [a_subscription(id="sub_Q", status="frozen_by_stripe")],
            "b2c",
            ["sub_Q", "frozen_by_stripe"],
            id="unknown-status",
        ),
        pytest.param([a_subscription()], "enterprise", ["'enterprise'", "'b2b'"], id="segment"),
        pytest.param(
            [a_subscription()],
            "gold",
            ["'gold'", "not mapped", "default", "'b2c'"],
            id="segment-unmapped",
        ),
        pytest.param(
            [a_yearly_subscription(months_old=3, id="sub_Q")],
            "b2c",
            ["sub_Q", "yearly", "6 months"],
            id="tenure",
        ),
    ],
)
def test_explanation_says_why(
    subscriptions: list[Subscription], segment: str, words: list[str]
) -> None:
    decision = decide_portal_access(PortalPolicy(), a_customer(segment=segment), subscriptions, NOW)
    for word in words:
        assert word in decision.explanation


def test_no_billing_account_explanation() -> None:
    decision = decide_portal_access(PortalPolicy(), None, [], NOW)
    assert decision.explanation == "no Stripe customer is linked to this user"
