"""``StripeBillingProvider.list_subscriptions`` against the seeded sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from avs_support import prices_by_lookup_key

from adapters.stripe import StripeBillingProvider
from domain.subscription import RecurringInterval, Subscription, SubscriptionStatus
from stripe_sandbox.seed import DemoRecord
from stripe_sandbox.testing import RunningSandbox


def _at(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, tz=UTC)


def _raw(sandbox: RunningSandbox, subscription_id: str) -> dict[str, Any]:
    return sandbox.store.snapshot().table("subscription")[subscription_id]


async def test_canceled_subscriptions_are_listed_with_their_end(
    provider: StripeBillingProvider, sandbox: RunningSandbox, demo: dict[str, DemoRecord]
) -> None:
    customer = demo["user_canceled"].customer_id

    (sub,) = await provider.list_subscriptions(customer)

    assert sub.status is SubscriptionStatus.CANCELED
    assert sub.customer_id == customer
    assert sub.ended_at is not None
    assert sub.ended_at < datetime.now(UTC) - timedelta(days=60)
    assert sub.ended_at == _at(_raw(sandbox, sub.id)["ended_at"])
    assert not sub.is_live


async def test_every_demo_subscription_comes_back_in_every_status(
    provider: StripeBillingProvider, sandbox: RunningSandbox, demo: dict[str, DemoRecord]
) -> None:
    store_subs = sandbox.store.snapshot().table("subscription").values()

    for record in demo.values():
        listed = await provider.list_subscriptions(record.customer_id)

        expected = {s["id"]: s["status"] for s in store_subs if s["customer"] == record.customer_id}
        assert {s.id: s.raw_status for s in listed} == expected, record.user_id
    statuses = {s["status"] for s in store_subs}
    assert {"active", "trialing", "past_due", "incomplete", "canceled"} <= statuses


async def test_items_carry_their_price_and_billing_period(
    provider: StripeBillingProvider, sandbox: RunningSandbox, demo: dict[str, DemoRecord]
) -> None:
    prices = prices_by_lookup_key(sandbox.store)

    (b2b,) = await provider.list_subscriptions(demo["user_b2b"].customer_id)
    (b2c,) = await provider.list_subscriptions(demo["user_b2c"].customer_id)

    (seats,) = b2b.items
    assert seats.price_id == prices["pro_yearly"]["id"]
    assert seats.product_id == prices["pro_yearly"]["product"]
    assert seats.quantity == 5
    assert (seats.interval, seats.interval_count, seats.metered) == (
        RecurringInterval.YEAR,
        1,
        False,
    )
    assert b2b.is_yearly
    (monthly,) = b2c.items
    assert monthly.price_id == prices["basic_monthly"]["id"]
    assert monthly.interval is RecurringInterval.MONTH
    for sub in (b2b, b2c):
        (item,) = sub.items
        raw_item = _raw(sandbox, sub.id)["items"]["data"][0]
        assert item.id == raw_item["id"]
        assert item.period_start == _at(raw_item["current_period_start"])
        assert item.period_end == _at(raw_item["current_period_end"])
        assert item.period_start is not None
        assert item.period_end is not None
        assert item.period_start <= datetime.now(UTC) < item.period_end
    assert b2c.items[0].period_end - b2c.items[0].period_start <= timedelta(days=31)
    assert b2b.items[0].period_end - b2b.items[0].period_start >= timedelta(days=365)


async def test_an_incomplete_subscription_links_its_open_invoice_page(
    provider: StripeBillingProvider, sandbox: RunningSandbox, demo: dict[str, DemoRecord]
) -> None:
    (sub,) = await provider.list_subscriptions(demo["user_incomplete"].customer_id)

    assert sub.status is SubscriptionStatus.INCOMPLETE
    invoice = sandbox.store.snapshot().table("invoice")[_raw(sandbox, sub.id)["latest_invoice"]]
    assert invoice["status"] == "open"
    assert sub.latest_invoice_url == invoice["hosted_invoice_url"]
    assert sub.latest_invoice_url is not None
    assert sub.latest_invoice_url.startswith(sandbox.url)
    async with httpx.AsyncClient() as http:
        page = await http.get(sub.latest_invoice_url)
    assert page.status_code == 200
    assert invoice["id"] in page.text or invoice["number"] in page.text


async def test_cancellation_scheduled_and_trial_are_reported(
    provider: StripeBillingProvider, demo: dict[str, DemoRecord]
) -> None:
    (ending,) = await provider.list_subscriptions(demo["user_cancel_scheduled"].customer_id)
    (trial,) = await provider.list_subscriptions(demo["user_trialing"].customer_id)
    (overdue,) = await provider.list_subscriptions(demo["user_past_due"].customer_id)

    assert ending.status is SubscriptionStatus.ACTIVE
    assert ending.cancel_at_period_end
    assert ending.cancel_at == ending.items[0].period_end
    assert trial.status is SubscriptionStatus.TRIALING
    assert overdue.status is SubscriptionStatus.PAST_DUE


async def test_a_customer_with_two_subscriptions_gets_both_and_one_without_none(
    provider: StripeBillingProvider, demo: dict[str, DemoRecord]
) -> None:
    two = await provider.list_subscriptions(demo["user_two_subs"].customer_id)
    none = await provider.list_subscriptions(demo["user_no_sub"].customer_id)

    assert len(two) == 2
    assert all(s.is_live for s in two)
    assert none == []


async def test_every_page_is_read(
    provider: StripeBillingProvider, sandbox: RunningSandbox, demo: dict[str, DemoRecord]
) -> None:
    """More subscriptions than one page (100) holds, canceled ones among them."""
    customer = demo["user_no_sub"].customer_id
    price = prices_by_lookup_key(sandbox.store)["basic_monthly"]["id"]
    created: list[str] = []
    with sandbox.store.transaction():  # one state-file write for all of them
        for index in range(103):
            sub = sandbox.store.create_subscription(
                {"customer": customer, "items": [{"price": price}]}
            )
            created.append(sub["id"])
            if index % 10 == 0:
                sandbox.store.cancel_subscription(sub["id"], {})

    listed: list[Subscription] = await provider.list_subscriptions(customer)

    assert sorted(s.id for s in listed) == sorted(created)
    assert sum(s.status is SubscriptionStatus.CANCELED for s in listed) == 11
