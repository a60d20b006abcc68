"""``StripeBillingEventSource`` (the billing mirror's source of truth) against the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from avs_receiver import eventually, webhook_receiver
from avs_support import settings_for

from adapters.stripe import open_stripe_client
from adapters.stripe.event_source import StripeBillingEventSource
from application.errors import ProviderMisconfigured, ProviderUnavailable
from domain.subscription import SubscriptionStatus
from stripe_sandbox import DeliveryPolicy, SandboxSettings, WebhookEndpointConfig
from stripe_sandbox.seed import DemoRecord
from stripe_sandbox.testing import RunningSandbox, running_sandbox

T = TypeVar("T")
FAST = DeliveryPolicy(initial_backoff=30, max_backoff=30, max_attempts=2, timeout=2, idle_poll=0.05)


async def _all(items: AsyncIterator[T]) -> list[T]:
    return [item async for item in items]


@pytest.fixture
async def source(sandbox: RunningSandbox) -> AsyncIterator[StripeBillingEventSource]:
    async with open_stripe_client(settings_for(sandbox.url)) as client:
        yield StripeBillingEventSource(client)


async def test_retrieves_are_parsed_and_stamped_with_the_sandbox_clock(
    source: StripeBillingEventSource, sandbox: RunningSandbox, demo: dict[str, DemoRecord]
) -> None:
    record = demo["user_incomplete"]
    state = sandbox.store.snapshot()
    (raw_sub,) = [
        s for s in state.table("subscription").values() if s["customer"] == record.customer_id
    ]
    raw_invoice = state.table("invoice")[raw_sub["latest_invoice"]]
    card = state.table("customer")[record.customer_id]["invoice_settings"]["default_payment_method"]
    before = datetime.now(UTC) - timedelta(seconds=2)

    customer = await source.retrieve_customer(record.customer_id)
    subscription = await source.retrieve_subscription(raw_sub["id"])
    invoice = await source.retrieve_invoice(raw_invoice["id"])
    payment_method = await source.retrieve_payment_method(card)

    assert customer is not None
    assert (customer.id, customer.email, customer.name) == (
        record.customer_id,
        record.email,
        record.name,
    )
    assert customer.default_payment_method_id == card
    assert subscription is not None
    assert subscription.subscription.status is SubscriptionStatus.INCOMPLETE
    assert subscription.subscription.latest_invoice_url == raw_invoice["hosted_invoice_url"]
    assert invoice is not None
    assert (invoice.status, invoice.customer_id, invoice.subscription_id) == (
        "open",
        record.customer_id,
        raw_sub["id"],
    )
    assert invoice.amount_due == raw_invoice["amount_due"] > 0
    assert payment_method is not None
    assert (payment_method.customer_id, payment_method.type) == (record.customer_id, "card")
    for read in (customer, subscription, invoice, payment_method):
        assert before <= read.version.at <= datetime.now(UTC) + timedelta(seconds=1)
        assert read.version.event_id is None


async def test_unknown_and_deleted_objects_are_none(
    source: StripeBillingEventSource, sandbox: RunningSandbox
) -> None:
    customer = sandbox.store.create_customer({"email": "gone@example.com"})["id"]
    sandbox.store.delete_customer(customer)

    assert await source.retrieve_customer(customer) is None
    assert await source.retrieve_customer("cus_avsUnknown") is None
    assert await source.retrieve_subscription("sub_avsUnknown") is None
    assert await source.retrieve_invoice("in_avsUnknown") is None
    assert await source.retrieve_payment_method("pm_avsUnknown") is None


async def test_lists_return_every_object_in_every_status(
    source: StripeBillingEventSource, sandbox: RunningSandbox, demo: dict[str, DemoRecord]
) -> None:
    state = sandbox.store.snapshot()
    two_subs = demo["user_two_subs"].customer_id

    customers = await _all(source.list_customers())
    subscriptions = await _all(source.list_subscriptions(None))
    of_one = await _all(source.list_subscriptions(two_subs))
    invoices = await _all(source.list_invoices(two_subs))
    cards = await _all(source.list_payment_methods(demo["user_past_due"].customer_id))

    assert {c.id for c in customers} == {r.customer_id for r in demo.values()}
    assert {s.subscription.id for s in subscriptions} == set(state.table("subscription"))
    assert any(s.subscription.status is SubscriptionStatus.CANCELED for s in subscriptions)
    assert len(of_one) == 2
    assert {i.id for i in invoices} == {
        i["id"] for i in state.table("invoice").values() if i["customer"] == two_subs
    }
    assert {c.id for c in cards} == {
        p["id"]
        for p in state.table("payment_method").values()
        if p["customer"] == demo["user_past_due"].customer_id
    }
    assert len(cards) == 2


async def test_events_are_listed_from_a_moment_on(
    source: StripeBillingEventSource, sandbox: RunningSandbox, demo: dict[str, DemoRecord]
) -> None:
    since = datetime.now(UTC) - timedelta(days=11)
    expected = {
        e["id"]
        for e in sandbox.store.snapshot().table("event").values()
        if e["created"] >= int(since.timestamp())
    }

    listed = await _all(source.list_events(since=since, undelivered_only=False))

    assert {e["id"] for e in listed} == expected
    assert 0 < len(expected) < len(sandbox.store.snapshot().table("event"))
    assert all(e["object"] == "event" and "data" in e for e in listed)


async def test_undelivered_only_lists_the_events_no_endpoint_took(tmp_path: Path) -> None:
    with webhook_receiver() as receiver:
        endpoint = WebhookEndpointConfig(receiver.url, "whsec_avs")
        settings = SandboxSettings(
            state_path=tmp_path / "state.json", webhook_endpoints=(endpoint,), delivery=FAST
        )
        with running_sandbox(settings) as sandbox:
            store = sandbox.store
            delivered = store.create_customer({"email": "delivered@example.com"})["id"]
            assert eventually(lambda: _status_of(sandbox, delivered) == "succeeded")
            receiver.failing = True
            missed = store.create_customer({"email": "missed@example.com"})["id"]
            assert eventually(
                lambda: _status_of(sandbox, missed) == "failed" or _attempted(sandbox, missed)
            )
            since = datetime.now(UTC) - timedelta(minutes=5)

            async with open_stripe_client(settings_for(sandbox.url)) as client:
                source = StripeBillingEventSource(client)
                undelivered = await _all(source.list_events(since=since, undelivered_only=True))
                every = await _all(source.list_events(since=since, undelivered_only=False))

    assert _customers_of(undelivered) == {missed}
    assert _customers_of(every) == {delivered, missed}


def _customers_of(events: list[Mapping[str, object]]) -> set[object]:
    return {e["data"]["object"]["id"] for e in events}  # type: ignore[index]


def _created_event(sandbox: RunningSandbox, customer_id: str) -> str:
    state = sandbox.store.snapshot()
    (event,) = [
        e
        for e in state.table("event").values()
        if e["type"] == "customer.created" and e["data"]["object"]["id"] == customer_id
    ]
    return str(event["id"])


def _deliveries(sandbox: RunningSandbox, customer_id: str) -> list[dict[str, object]]:
    event_id = _created_event(sandbox, customer_id)
    return list(sandbox.store.snapshot().deliveries.get(event_id, {}).values())


def _status_of(sandbox: RunningSandbox, customer_id: str) -> str | None:
    found = _deliveries(sandbox, customer_id)
    return str(found[0]["status"]) if found else None


def _attempted(sandbox: RunningSandbox, customer_id: str) -> bool:
    return any(int(str(d["attempts"])) > 0 for d in _deliveries(sandbox, customer_id))


async def test_a_rejected_key_is_a_misconfiguration(sandbox: RunningSandbox) -> None:
    async with open_stripe_client(settings_for(sandbox.url, "rk_live_avsWrong")) as client:
        source = StripeBillingEventSource(client)
        with pytest.raises(ProviderMisconfigured):
            await source.retrieve_customer("cus_avs")
        with pytest.raises(ProviderMisconfigured):
            await _all(source.list_customers())


async def test_a_stopped_sandbox_is_unavailable(tmp_path: Path) -> None:
    with running_sandbox(SandboxSettings(state_path=tmp_path / "state.json")) as gone:
        url = gone.url

    async with open_stripe_client(settings_for(url)) as client:
        source = StripeBillingEventSource(client)
        with pytest.raises(ProviderUnavailable):
            await source.retrieve_customer("cus_avs")
        with pytest.raises(ProviderUnavailable):
            await _all(source.list_events(since=datetime.now(UTC), undelivered_only=True))


async def test_customers_come_with_their_tax_ids_and_products_with_their_names(
    source: StripeBillingEventSource, sandbox: RunningSandbox, demo: dict[str, DemoRecord]
) -> None:
    record = demo["user_b2b"]
    sandbox.store.create_tax_id(record.customer_id, {"type": "eu_vat", "value": "DE123456789"})

    customer = await source.retrieve_customer(record.customer_id)
    listed = [c for c in await _all(source.list_customers()) if c.id == record.customer_id]
    products = await _all(source.list_products())

    assert customer is not None
    assert [(t.type, t.value) for t in customer.tax_ids or ()] == [("eu_vat", "DE123456789")]
    assert [c.tax_ids for c in listed] == [customer.tax_ids]
    assert products
    assert all(p.name for p in products)
    one = await source.retrieve_product(products[0].id)
    assert one is not None
    assert one.name == products[0].name
