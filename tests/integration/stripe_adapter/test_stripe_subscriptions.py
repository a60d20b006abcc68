"""Listing a customer's subscriptions: the request sent, pagination and the mapping."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.stripe import StripeBillingProvider
from domain.subscription import (
    RecurringInterval,
    Subscription,
    SubscriptionItem,
    SubscriptionStatus,
)

from .fake_stripe import FakeStripe
from .stripe_objects import example, stripe_list, subscription, subscription_item

T0 = 1_700_000_000


def at(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def yearly_price() -> dict[str, object]:
    price = example("price", id="price_yearly", product="prod_pro")
    price["recurring"].update(interval="year", interval_count=1, usage_type="licensed")
    return price


def metered_price() -> dict[str, object]:
    product = example("product", id="prod_usage")
    price = example("price", id="price_usage", product=product)
    price["recurring"].update(interval="month", interval_count=3, usage_type="metered")
    return price


async def test_asks_for_every_status_with_the_latest_invoice_expanded(
    provider: StripeBillingProvider, fake_stripe: FakeStripe
) -> None:
    fake_stripe.reply("GET", "/v1/subscriptions", stripe_list([], "/v1/subscriptions"))

    assert await provider.list_subscriptions("cus_123") == []

    [request] = fake_stripe.requests
    assert request.params == {
        "customer": "cus_123",
        "status": "all",
        "expand[0]": "data.latest_invoice",
        "limit": "100",
    }


async def test_follows_every_page(provider: StripeBillingProvider, fake_stripe: FakeStripe) -> None:
    price = example("price")
    first = [subscription(f"sub_{n}", [subscription_item(f"si_{n}", price)]) for n in (1, 2)]
    last = [subscription("sub_3", [subscription_item("si_3", price)], status="canceled")]
    fake_stripe.reply(
        "GET", "/v1/subscriptions", stripe_list(first, "/v1/subscriptions", has_more=True)
    )
    fake_stripe.reply("GET", "/v1/subscriptions", stripe_list(last, "/v1/subscriptions"))

    found = await provider.list_subscriptions("cus_123")

    assert [s.id for s in found] == ["sub_1", "sub_2", "sub_3"]
    assert found[2].status is SubscriptionStatus.CANCELED
    first_request, second_request = fake_stripe.requests
    assert "starting_after" not in first_request.params
    assert second_request.params == {**first_request.params, "starting_after": "sub_2"}


async def test_maps_every_field_with_periods_taken_from_the_items(
    provider: StripeBillingProvider, fake_stripe: FakeStripe
) -> None:
    invoice = example("invoice", hosted_invoice_url="https://invoice.stripe.com/i/acct/in_1")
    licensed = subscription_item(
        "si_licensed", yearly_price(), quantity=4,
        current_period_start=T0, current_period_end=T0 + 31_536_000,
    )  # fmt: skip
    metered = subscription_item(
        "si_metered", metered_price(), quantity=None,
        current_period_start=T0 + 10, current_period_end=T0 + 7_776_000,
    )  # fmt: skip
    sub = subscription(
        "sub_full", [licensed, metered], customer="cus_123", status="past_due",
        created=T0 - 100, start_date=T0 - 50, cancel_at_period_end=True, cancel_at=T0 + 5,
        canceled_at=T0 + 6, ended_at=T0 + 7, latest_invoice=invoice,
    )  # fmt: skip
    fake_stripe.reply("GET", "/v1/subscriptions", stripe_list([sub], "/v1/subscriptions"))

    [found] = await provider.list_subscriptions("cus_123")

    assert found == Subscription(
        id="sub_full",
        customer_id="cus_123",
        status=SubscriptionStatus.PAST_DUE,
        created=at(T0 - 100),
        start_date=at(T0 - 50),
        items=(
            SubscriptionItem(
                id="si_licensed", price_id="price_yearly", product_id="prod_pro", quantity=4,
                interval=RecurringInterval.YEAR, interval_count=1,
                period_start=at(T0), period_end=at(T0 + 31_536_000),
                metered=False,
            ),
            SubscriptionItem(
                id="si_metered", price_id="price_usage", product_id="prod_usage", quantity=None,
                interval=RecurringInterval.MONTH, interval_count=3,
                period_start=at(T0 + 10), period_end=at(T0 + 7_776_000),
                metered=True,
            ),
        ),
        cancel_at_period_end=True,
        cancel_at=at(T0 + 5),
        canceled_at=at(T0 + 6),
        ended_at=at(T0 + 7),
        latest_invoice_url="https://invoice.stripe.com/i/acct/in_1",
    )  # fmt: skip
    assert found.raw_status == "past_due"
    assert found.period_end == at(T0 + 31_536_000)
    assert found.created.tzinfo is UTC


async def test_tolerates_nulls_and_keeps_an_unknown_status(
    provider: StripeBillingProvider, fake_stripe: FakeStripe
) -> None:
    one_off = example("price", id="price_once", recurring=None)
    item = subscription_item("si_once", one_off, quantity=None)
    del item["current_period_start"], item["current_period_end"]
    sub = subscription(
        "sub_sparse", [item], customer=example("customer", id="cus_123"),
        status="future_status", cancel_at=None, canceled_at=None, ended_at=None,
        cancel_at_period_end=None, latest_invoice="in_not_expanded",
    )  # fmt: skip
    unpaid_invoice = example("invoice")  # Stripe's example has hosted_invoice_url: null
    draft = subscription("sub_draft", [], latest_invoice=unpaid_invoice)
    fake_stripe.reply("GET", "/v1/subscriptions", stripe_list([sub, draft], "/v1/subscriptions"))

    found, no_items = await provider.list_subscriptions("cus_123")

    assert found.status is SubscriptionStatus.UNKNOWN
    assert found.raw_status == "future_status"
    assert found.customer_id == "cus_123"
    assert (found.cancel_at, found.canceled_at, found.ended_at) == (None, None, None)
    assert found.cancel_at_period_end is False
    assert found.latest_invoice_url is None
    assert found.items == (
        SubscriptionItem(
            id="si_once", price_id="price_once", product_id="prod_QXg1hqf4jFNsqG", quantity=None,
            interval=None, interval_count=1, period_start=None, period_end=None,
        ),
    )  # fmt: skip
    assert found.period_end is None
    assert no_items.items == ()
    assert no_items.latest_invoice_url is None
