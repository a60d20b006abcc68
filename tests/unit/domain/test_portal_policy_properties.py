"""Properties of the portal access policy over generated customers, subscriptions and times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import add_months
from domain.customer import Customer
from domain.portal_decision import NoLinkedCustomer, OpenPortal, Redirect
from domain.portal_policy import PortalPolicy, PortalRule, decide_portal_access
from domain.subscription import (
    RecurringInterval,
    Subscription,
    SubscriptionItem,
    SubscriptionStatus,
)

KNOWN_STATUSES = [s.value for s in SubscriptionStatus if s is not SubscriptionStatus.UNKNOWN]

nows = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
)
segments = st.sampled_from(["enterprise", "b2b", "b2c", "gold", ""])
with_account = st.builds(Customer, st.just("user_1"), st.just("cus_A1"), segments)
without_account = st.builds(Customer, st.just("user_1"), st.sampled_from([None, ""]), segments)
# Weighted towards customers with an account: that is where the rules have work to do.
customers = st.integers(0, 4).flatmap(
    lambda n: st.none() if n == 0 else without_account if n == 1 else with_account
)
known_or_odd = st.sampled_from([*KNOWN_STATUSES, "", "future_status"])
statuses = st.one_of(known_or_odd, known_or_odd, st.text("abcdefghijklmnop_", max_size=12))
intervals = st.sampled_from([None, *RecurringInterval])


# A moment relative to ``now``: whole months back (often exactly: where tenure flips), a
# one-second nudge and sometimes a jitter of days. Built once: strategies made inside a
# composite are re-validated on every draw and make generation slow.
offsets = st.tuples(
    st.integers(min_value=-3, max_value=30),
    st.sampled_from([0, 1, -1]),
    st.one_of(st.just(0), st.integers(min_value=-40 * 86400, max_value=40 * 86400)),
)
optional_offsets = st.one_of(st.none(), offsets)


def at(now: datetime, offset: tuple[int, int, int]) -> datetime:
    months, nudge, jitter = offset
    return add_months(now, -months) + timedelta(seconds=nudge + jitter)


def maybe_at(now: datetime, offset: tuple[int, int, int] | None) -> datetime | None:
    return None if offset is None else at(now, offset)


items_data = st.lists(
    st.tuples(
        st.sampled_from(["price_a", "price_b"]),
        st.one_of(st.none(), st.integers(0, 5)),
        intervals,
        st.integers(min_value=1, max_value=24),
        optional_offsets,
        optional_offsets,
        st.booleans(),
    ),
    max_size=3,
)
subscriptions_data = st.lists(
    st.tuples(
        statuses,
        offsets,
        optional_offsets,
        items_data,
        st.booleans(),
        optional_offsets,
        st.sampled_from([None, "https://invoice.stripe.com/i/x"]),
    ),
    max_size=4,
)


@st.composite
def subscription_lists(draw: st.DrawFn, now: datetime) -> list[Subscription]:
    subs = []
    for n, (raw, start, created, items, cancelling, ended, url) in enumerate(
        draw(subscriptions_data)
    ):
        subs.append(
            Subscription(
                id=f"sub_{n}",
                customer_id="cus_A1",
                status=SubscriptionStatus.parse(raw),
                created=maybe_at(now, created) or at(now, start),
                start_date=at(now, start),
                items=tuple(
                    SubscriptionItem(
                        f"si_{n}_{i}",
                        price,
                        "prod_a",
                        qty,
                        interval,
                        count,
                        maybe_at(now, p_start),
                        maybe_at(now, p_end),
                        metered,
                    )
                    for i, (price, qty, interval, count, p_start, p_end, metered) in enumerate(
                        items
                    )
                ),
                cancel_at_period_end=cancelling,
                ended_at=maybe_at(now, ended),
                latest_invoice_url=url,
                raw_status=raw,
            )
        )
    return subs


@st.composite
def policies(draw: st.DrawFn) -> PortalPolicy:
    gates = [r for r in PortalRule if r is not PortalRule.SEGMENT]
    chosen = draw(st.lists(st.sampled_from(gates), unique=True))
    return PortalPolicy(
        rules=(*chosen, PortalRule.SEGMENT),
        tenure_months=draw(st.integers(min_value=0, max_value=24)),
    )


any_policy = st.one_of(st.just(PortalPolicy()), policies())


@st.composite
def situations(
    draw: st.DrawFn,
) -> tuple[PortalPolicy, Customer | None, list[Subscription], datetime]:
    now = draw(nows)
    policy = draw(any_policy)
    return policy, draw(customers), draw(subscription_lists(now)), now


@st.composite
def lone_yearly_situations(
    draw: st.DrawFn,
) -> tuple[PortalPolicy, Customer | None, list[Subscription], datetime]:
    """One live subscription billed yearly (or every 12+ months), next to ended ones."""
    policy, customer, others, now = draw(situations())
    count = draw(st.sampled_from([1, 12, 24]))
    interval = RecurringInterval.YEAR if count == 1 else RecurringInterval.MONTH
    start = at(now, draw(offsets))
    item = SubscriptionItem("si_y", "price_y", "prod_a", 1, interval, count, start, None)
    status = draw(st.sampled_from([*LIVE, "future_status"]))
    yearly = Subscription(
        "sub_y",
        "cus_A1",
        SubscriptionStatus.parse(status),
        start,
        start,
        (item,),
        raw_status=status,
    )
    ended = [o for o in others if o.raw_status in {"canceled", "incomplete_expired"}]
    return policy, customer, [*ended, yearly], now


def is_yearly(sub: Subscription) -> bool:
    """Independent of the code under test: billed every 12 months or less often."""
    for item in sub.items:
        if item.metered:
            continue
        if item.interval is RecurringInterval.YEAR:
            return True
        if item.interval is RecurringInterval.MONTH and item.interval_count >= 12:
            return True
    return False


LIVE = {"trialing", "active", "past_due", "unpaid", "paused"}


def is_live(sub: Subscription) -> bool:
    return sub.raw_status in LIVE or sub.raw_status not in KNOWN_STATUSES


@settings(max_examples=250)
@given(situations())
def test_every_input_gets_exactly_one_decision(
    situation: tuple[PortalPolicy, Customer | None, list[Subscription], datetime],
) -> None:
    decision = decide_portal_access(*situation)
    assert isinstance(decision, NoLinkedCustomer | Redirect | OpenPortal)
    assert decision.explanation


@settings(max_examples=250)
@given(situations())
def test_never_a_portal_or_redirect_without_a_stripe_customer(
    situation: tuple[PortalPolicy, Customer | None, list[Subscription], datetime],
) -> None:
    policy, customer, subs, now = situation
    decision = decide_portal_access(policy, customer, subs, now)
    has_account = customer is not None and bool(customer.stripe_customer_id)
    assert isinstance(decision, NoLinkedCustomer) == (not has_account)


@settings(max_examples=250)
@given(situations())
def test_chosen_configuration_is_one_the_policy_declares(
    situation: tuple[PortalPolicy, Customer | None, list[Subscription], datetime],
) -> None:
    policy = situation[0]
    decision = decide_portal_access(*situation)
    if isinstance(decision, OpenPortal):
        assert decision.configuration in policy.configuration_names()


@settings(max_examples=300)
@given(st.one_of(situations(), lone_yearly_situations()))
def test_no_plan_changes_for_a_lone_yearly_subscription_inside_its_tenure_window(
    situation: tuple[PortalPolicy, Customer | None, list[Subscription], datetime],
) -> None:
    policy, customer, subs, now = situation
    live = [s for s in subs if is_live(s)]
    decision = decide_portal_access(policy, customer, subs, now)
    if not (isinstance(decision, OpenPortal) and len(live) == 1 and policy.tenure_months):
        return
    (sub,) = live
    if is_yearly(sub) and now < add_months(sub.start_date, policy.tenure_months):
        safe = {*policy.restricted_variants.values(), policy.multiple_subscriptions_configuration}
        assert decision.configuration in safe


@settings(max_examples=200)
@given(situations())
def test_a_redirect_goes_to_a_configured_path_or_the_stripe_invoice(
    situation: tuple[PortalPolicy, Customer | None, list[Subscription], datetime],
) -> None:
    policy = situation[0]
    decision = decide_portal_access(*situation)
    if isinstance(decision, Redirect):
        paths = (policy.pricing_path, policy.reactivation_path, policy.complete_payment_path)
        assert decision.redirect_to.startswith(("https://invoice.stripe.com/", *paths))
