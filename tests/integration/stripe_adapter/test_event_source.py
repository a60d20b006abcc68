"""StripeBillingEventSource against the recording fake: requests, pages, records, versions."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.stripe import StripeBillingEventSource, open_stripe_client
from application.errors import ProviderMisconfigured, ProviderUnavailable
from domain.billing.version import SourceVersion
from domain.subscription import SubscriptionStatus

from .conftest import settings_for
from .fake_stripe import FakeStripe
from .stripe_objects import example, stripe_error, stripe_list


@pytest.fixture
async def source(fake_stripe: FakeStripe) -> AsyncIterator[StripeBillingEventSource]:
    async with open_stripe_client(settings_for(fake_stripe.url)) as client:
        yield StripeBillingEventSource(client)


def assert_read_between(version: SourceVersion, before: datetime, after: datetime) -> None:
    """A read is versioned by Stripe's ``Date`` header (whole seconds), not by an event."""
    assert version.event_id is None
    assert before.replace(microsecond=0) <= version.at <= after
    assert version.at.tzinfo is not None


async def collect(items: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in items]


def missing(kind: str) -> dict[str, Any]:
    return stripe_error(f"No such {kind}: 'x_gone'", code="resource_missing", param="id")


async def test_retrieves_a_customer_as_a_mirror_record_versioned_by_stripes_clock(
    source: StripeBillingEventSource, fake_stripe: FakeStripe
) -> None:
    customer = example("customer", id="cus_1", email="ada@example.com", name="Ada")
    customer["invoice_settings"]["default_payment_method"] = "pm_1"
    fake_stripe.reply("GET", "/v1/customers/cus_1", customer)

    before = datetime.now(UTC)
    found = await source.retrieve_customer("cus_1")
    after = datetime.now(UTC)

    assert found is not None
    assert (found.id, found.email, found.name) == ("cus_1", "ada@example.com", "Ada")
    assert found.default_payment_method_id == "pm_1"
    assert found.address is None  # Stripe's example has an address of nulls only
    assert not found.deleted
    assert_read_between(found.version, before, after)


async def test_a_deleted_customer_or_an_object_stripe_no_longer_has_is_none(
    source: StripeBillingEventSource, fake_stripe: FakeStripe
) -> None:
    fake_stripe.reply("GET", "/v1/customers/cus_1", example("deleted_customer", id="cus_1"))
    fake_stripe.reply("GET", "/v1/customers/x_gone", missing("customer"), status=404)
    fake_stripe.reply("GET", "/v1/subscriptions/x_gone", missing("subscription"), status=404)
    fake_stripe.reply("GET", "/v1/invoices/x_gone", missing("invoice"), status=404)
    fake_stripe.reply("GET", "/v1/payment_methods/x_gone", missing("payment method"), status=404)

    assert await source.retrieve_customer("cus_1") is None
    assert await source.retrieve_customer("x_gone") is None
    assert await source.retrieve_subscription("x_gone") is None
    assert await source.retrieve_invoice("x_gone") is None
    assert await source.retrieve_payment_method("x_gone") is None


async def test_retrieves_a_subscription_with_its_latest_invoice_and_an_unknown_status(
    source: StripeBillingEventSource, fake_stripe: FakeStripe
) -> None:
    invoice = example("invoice", hosted_invoice_url="https://invoice.stripe.com/i/1")
    sub = example("subscription", id="sub_1", status="brand_new", latest_invoice=invoice)
    sub["items"]["data"][0]["price"]["nickname"] = "Pro monthly"
    fake_stripe.reply("GET", "/v1/subscriptions/sub_1", sub)

    found = await source.retrieve_subscription("sub_1")

    assert fake_stripe.requests[0].params == {"expand[0]": "latest_invoice"}
    assert found is not None
    snapshot = found.subscription
    assert (snapshot.status, snapshot.raw_status) == (SubscriptionStatus.UNKNOWN, "brand_new")
    assert snapshot.latest_invoice_url == "https://invoice.stripe.com/i/1"
    assert found.plan_name("price_1PgafmB7WZ01zgkW6dKueIc5") == "Pro monthly"
    assert found.version.event_id is None


async def test_retrieves_invoices_and_payment_methods(
    source: StripeBillingEventSource, fake_stripe: FakeStripe
) -> None:
    fake_stripe.reply("GET", "/v1/invoices/in_1", example("invoice", id="in_1", number=None))
    card = example("payment_method", id="pm_1", customer="cus_1")
    fake_stripe.reply("GET", "/v1/payment_methods/pm_1", card)
    fake_stripe.reply("GET", "/v1/payment_methods/pm_2", example("payment_method", id="pm_2"))

    invoice = await source.retrieve_invoice("in_1")
    method = await source.retrieve_payment_method("pm_1")
    detached = await source.retrieve_payment_method("pm_2")

    assert invoice is not None
    assert (invoice.id, invoice.number, invoice.amount_due) == ("in_1", None, 1000)
    assert method is not None
    assert (method.label, method.exp_month, method.exp_year) == ("Visa ending in 4242", 8, 2030)
    assert detached is not None
    assert detached.detached  # Stripe's example belongs to no customer


async def test_other_failures_become_application_errors(
    source: StripeBillingEventSource, fake_stripe: FakeStripe
) -> None:
    fake_stripe.reply("GET", "/v1/customers/cus_1", stripe_error("boom", type="api_error"),
                      status=500)  # fmt: skip
    fake_stripe.reply("GET", "/v1/events", stripe_error("bad key"), status=401)

    with pytest.raises(ProviderUnavailable):
        await source.retrieve_customer("cus_1")
    with pytest.raises(ProviderMisconfigured):
        await collect(source.list_events(since=datetime.now(UTC), undelivered_only=False))


async def test_lists_undelivered_events_since_a_time_across_pages(
    source: StripeBillingEventSource, fake_stripe: FakeStripe
) -> None:
    events = [example("event", id=f"evt_{n}", type="customer.updated") for n in (1, 2, 3)]
    fake_stripe.reply("GET", "/v1/events", stripe_list(events[:2], "/v1/events", has_more=True))
    fake_stripe.reply("GET", "/v1/events", stripe_list(events[2:], "/v1/events"))
    since = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)

    found = await collect(source.list_events(since=since, undelivered_only=True))

    assert found == events  # plain JSON, as a webhook carries it (no Decimal, no StripeObject)
    assert json.loads(json.dumps(found)) == events
    first, second = fake_stripe.requests
    assert first.params == {
        "created[gte]": str(int(since.timestamp())),
        "delivery_success": "false",
        "limit": "100",
    }
    assert second.params == {**first.params, "starting_after": "evt_2"}


async def test_lists_every_event_of_the_last_thirty_days_at_most(
    source: StripeBillingEventSource, fake_stripe: FakeStripe
) -> None:
    fake_stripe.reply("GET", "/v1/events", stripe_list([], "/v1/events"))

    before = datetime.now(UTC)
    await collect(source.list_events(since=before - timedelta(days=90), undelivered_only=False))

    [request] = fake_stripe.requests
    assert "delivery_success" not in request.params
    oldest = int((before - timedelta(days=30)).timestamp())
    assert oldest <= int(request.params["created[gte]"]) <= oldest + 5


async def test_lists_subscriptions_of_every_status_for_one_customer_or_all(
    source: StripeBillingEventSource, fake_stripe: FakeStripe
) -> None:
    subs = [example("subscription", id=f"sub_{n}", status=s)
            for n, s in ((1, "active"), (2, "canceled"), (3, "past_due"))]  # fmt: skip
    fake_stripe.reply(
        "GET", "/v1/subscriptions", stripe_list(subs[:2], "/v1/subscriptions", has_more=True)
    )
    fake_stripe.reply("GET", "/v1/subscriptions", stripe_list(subs[2:], "/v1/subscriptions"))
    fake_stripe.reply("GET", "/v1/subscriptions", stripe_list([], "/v1/subscriptions"))

    before = datetime.now(UTC)
    found = await collect(source.list_subscriptions("cus_1"))
    after = datetime.now(UTC)
    assert await collect(source.list_subscriptions(None)) == []

    assert [(s.id, s.subscription.status.value) for s in found] == [
        ("sub_1", "active"), ("sub_2", "canceled"), ("sub_3", "past_due")
    ]  # fmt: skip
    for record in found:
        assert_read_between(record.version, before, after)
    first, second, everyone = fake_stripe.requests
    assert first.params == {
        "status": "all", "expand[0]": "data.latest_invoice", "customer": "cus_1", "limit": "100"
    }  # fmt: skip
    assert second.params == {**first.params, "starting_after": "sub_2"}
    assert everyone.params == {"status": "all", "expand[0]": "data.latest_invoice", "limit": "100"}


async def test_lists_customers_invoices_and_payment_methods_across_pages(
    source: StripeBillingEventSource, fake_stripe: FakeStripe
) -> None:
    customers = [example("customer", id=f"cus_{n}") for n in (1, 2)]
    fake_stripe.reply("GET", "/v1/customers", stripe_list(customers[:1], "/", has_more=True))
    fake_stripe.reply("GET", "/v1/customers", stripe_list(customers[1:], "/"))
    invoices = [example("invoice", id=f"in_{n}") for n in (1, 2)]
    fake_stripe.reply("GET", "/v1/invoices", stripe_list(invoices, "/v1/invoices"))
    cards = [example("payment_method", id=f"pm_{n}", customer="cus_1") for n in (1, 2)]
    path = "/v1/customers/cus_1/payment_methods"
    fake_stripe.reply("GET", path, stripe_list(cards[:1], path, has_more=True))
    fake_stripe.reply("GET", path, stripe_list(cards[1:], path))

    assert [c.id for c in await collect(source.list_customers())] == ["cus_1", "cus_2"]
    assert [i.id for i in await collect(source.list_invoices("cus_1"))] == ["in_1", "in_2"]
    methods = await collect(source.list_payment_methods("cus_1"))

    assert [(m.id, m.customer_id, m.detached) for m in methods] == [
        ("pm_1", "cus_1", False), ("pm_2", "cus_1", False)
    ]  # fmt: skip
    params = [(r.path, r.params) for r in fake_stripe.requests]
    assert params == [
        ("/v1/customers", {"expand[0]": "data.tax_ids", "limit": "100"}),
        ("/v1/customers", {"expand[0]": "data.tax_ids", "limit": "100", "starting_after": "cus_1"}),
        ("/v1/invoices", {"customer": "cus_1", "limit": "100"}),
        (path, {"limit": "100"}),
        (path, {"limit": "100", "starting_after": "pm_1"}),
    ]


async def test_pages_come_as_stripe_sent_them_and_cards_of_many_customers_in_their_order(
    source: StripeBillingEventSource, fake_stripe: FakeStripe
) -> None:
    customers = [example("customer", id=f"cus_{n}") for n in (1, 2, 3)]
    fake_stripe.reply("GET", "/v1/customers", stripe_list(customers[:2], "/", has_more=True))
    fake_stripe.reply("GET", "/v1/customers", stripe_list(customers[2:], "/"))
    for n in (1, 2, 3):
        path = f"/v1/customers/cus_{n}/payment_methods"
        cards = [example("payment_method", id=f"pm_{n}{m}", customer=f"cus_{n}") for m in (1, 2)]
        fake_stripe.reply("GET", path, stripe_list(cards if n != 2 else [], path))

    before = datetime.now(UTC)
    pages = await collect(source.customer_pages())
    methods = await source.payment_methods_of(["cus_3", "cus_1", "cus_2"])
    after = datetime.now(UTC)

    assert [[c.id for c in page] for page in pages] == [["cus_1", "cus_2"], ["cus_3"]]
    assert [m.id for m in methods] == ["pm_31", "pm_32", "pm_11", "pm_12"]
    for record in [*pages[0], *methods]:
        assert_read_between(record.version, before, after)
    assert sorted(r.path for r in fake_stripe.requests[2:]) == [
        f"/v1/customers/cus_{n}/payment_methods" for n in (1, 2, 3)
    ]
