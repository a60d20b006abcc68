"""Subscriptions and invoices through the SDK: create, list, change plan, cancel, pay."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import stripe

from stripe_sandbox.testing import RunningSandbox

from .conftest import new_customer


def subscribe(client: stripe.StripeClient, customer: Any, price: Any, **extra: Any) -> Any:
    params = {"customer": customer.id, "items": [{"price": price.id}], **extra}
    return client.v1.subscriptions.create(params=params)  # type: ignore[arg-type]


def test_create_bills_the_first_period_and_items_carry_the_period(
    client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer = new_customer(client)
    sub = subscribe(client, customer, plans["pro_monthly"], expand=["latest_invoice"])
    assert sub.status == "active"
    item = sub["items"].data[0]
    assert item.price.id == plans["pro_monthly"].id
    assert item.quantity == 1
    assert 28 * 86400 <= item.current_period_end - item.current_period_start <= 31 * 86400
    assert "current_period_end" not in sub
    invoice = sub.latest_invoice
    assert (invoice.status, invoice.amount_paid, invoice.billing_reason) == (
        "paid",
        2900,
        "subscription_create",
    )
    assert client.v1.subscriptions.retrieve(sub.id).latest_invoice == invoice.id


def test_list_hides_canceled_unless_status_all(
    client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer = new_customer(client)
    live = subscribe(client, customer, plans["basic_monthly"])
    ended = subscribe(client, customer, plans["pro_monthly"])
    client.v1.subscriptions.cancel(ended.id)
    default = client.v1.subscriptions.list(params={"customer": customer.id})
    assert [s.id for s in default.data] == [live.id]
    everything = client.v1.subscriptions.list(params={"customer": customer.id, "status": "all"})
    assert {s.id for s in everything.data} == {live.id, ended.id}
    canceled = client.v1.subscriptions.list(params={"status": "canceled"})
    assert [s.id for s in canceled.data] == [ended.id]
    expanded = client.v1.subscriptions.list(
        params={
            "customer": customer.id,
            "expand": [
                "data.latest_invoice",
                "data.items.data.price.product",
                "data.default_payment_method",
            ],
        }
    )
    first = expanded.data[0]
    assert first.latest_invoice.object == "invoice"
    assert first["items"].data[0].price.product.name == "Basic"


def test_upgrade_with_create_prorations_bills_the_difference_at_renewal(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer = new_customer(client)
    sub = subscribe(client, customer, plans["basic_monthly"])
    item = sub["items"].data[0]
    sandbox.store.advance(days=10)
    updated = client.v1.subscriptions.update(
        sub.id,
        params={
            "items": [{"id": item.id, "price": plans["pro_monthly"].id}],
            "proration_behavior": "create_prorations",
        },
    )
    assert updated["items"].data[0].price.id == plans["pro_monthly"].id
    assert updated.latest_invoice == sub.latest_invoice
    sandbox.store.advance(days=25)
    renewal = client.v1.invoices.retrieve(client.v1.subscriptions.retrieve(sub.id).latest_invoice)
    assert renewal.billing_reason == "subscription_cycle"
    amounts = sorted(line.amount for line in renewal.lines.data)
    assert amounts[0] < 0 < amounts[1] < 2900
    assert amounts[2] == 2900
    assert renewal.total == sum(amounts)


def test_always_invoice_bills_the_proration_now_and_none_bills_nothing(
    client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer = new_customer(client)
    sub = subscribe(client, customer, plans["basic_monthly"])
    item = sub["items"].data[0]
    now = client.v1.subscriptions.update(
        sub.id,
        params={
            "items": [{"id": item.id, "quantity": 3}],
            "proration_behavior": "always_invoice",
            "expand": ["latest_invoice"],
        },
    )
    assert now.latest_invoice.billing_reason == "subscription_update"
    assert now.latest_invoice.status == "paid"
    assert now["items"].data[0].quantity == 3
    quiet = client.v1.subscriptions.update(
        sub.id, params={"items": [{"id": item.id, "quantity": 1}], "proration_behavior": "none"}
    )
    assert quiet.latest_invoice == now.latest_invoice.id


def test_switching_to_a_yearly_price_restarts_the_cycle_and_bills_now(
    client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer = new_customer(client)
    sub = subscribe(client, customer, plans["basic_monthly"])
    item = sub["items"].data[0]
    yearly = client.v1.subscriptions.update(
        sub.id,
        params={
            "items": [{"id": item.id, "price": plans["basic_yearly"].id}],
            "expand": ["latest_invoice"],
        },
    )
    new_item = yearly["items"].data[0]
    assert new_item.current_period_end - new_item.current_period_start >= 365 * 86400
    assert yearly.latest_invoice.total == 9000 - 900


def test_cancel_at_period_end_and_undo(client: stripe.StripeClient, plans: dict[str, Any]) -> None:
    customer = new_customer(client)
    sub = subscribe(client, customer, plans["basic_monthly"])
    scheduled = client.v1.subscriptions.update(
        sub.id,
        params={
            "cancel_at_period_end": True,
            "cancellation_details": {"feedback": "too_expensive", "comment": "pricy"},
        },
    )
    assert scheduled.cancel_at_period_end is True
    assert scheduled.status == "active"
    assert scheduled.cancel_at == scheduled["items"].data[0].current_period_end
    assert scheduled.cancellation_details.feedback == "too_expensive"
    undone = client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": False})
    assert undone.cancel_at_period_end is False
    assert undone.cancel_at is None
    with pytest.raises(stripe.InvalidRequestError) as bad:
        client.v1.subscriptions.update(sub.id, params={"cancellation_details": {"feedback": "meh"}})
    assert bad.value.param == "cancellation_details[feedback]"


def test_cancel_now_ends_the_subscription(
    client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer = new_customer(client)
    sub = subscribe(client, customer, plans["basic_monthly"])
    canceled = client.v1.subscriptions.cancel(
        sub.id, params={"cancellation_details": {"comment": "bye"}}
    )
    assert canceled.status == "canceled"
    assert canceled.ended_at is not None
    assert canceled.cancellation_details.reason == "cancellation_requested"
    assert canceled.cancellation_details.comment == "bye"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.subscriptions.update(
            sub.id, params={"items": [{"price": plans["pro_monthly"].id}]}
        )


def test_trials_start_with_a_zero_invoice(
    client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer = new_customer(client)
    sub = subscribe(
        client, customer, plans["pro_monthly"], trial_period_days=14, expand=["latest_invoice"]
    )
    assert sub.status == "trialing"
    assert sub.trial_end - sub.trial_start == 14 * 86400
    assert sub.latest_invoice.amount_due == 0
    assert sub.latest_invoice.status == "paid"


def test_invalid_subscription_requests(client: stripe.StripeClient, plans: dict[str, Any]) -> None:
    customer = new_customer(client)
    with pytest.raises(stripe.InvalidRequestError) as no_items:
        client.v1.subscriptions.create(params={"customer": customer.id})
    assert no_items.value.param == "items"
    with pytest.raises(stripe.InvalidRequestError) as mixed:
        client.v1.subscriptions.create(
            params={
                "customer": customer.id,
                "items": [{"price": plans["basic_monthly"].id}, {"price": plans["pro_yearly"].id}],
            }
        )
    assert mixed.value.param == "items"


def test_invoices_list_retrieve_pay_and_hosted_pages(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer = new_customer(client, card="pm_card_chargeCustomerFail")
    sub = subscribe(client, customer, plans["basic_monthly"])
    invoices = client.v1.invoices.list(params={"customer": customer.id})
    assert [i.subscription for i in invoices.data] == [sub.id]
    invoice = invoices.data[0]
    assert client.v1.invoices.list(params={"subscription": sub.id, "status": "open"}).data
    with pytest.raises(stripe.CardError):
        client.v1.invoices.pay(invoice.id)
    assert client.v1.invoices.retrieve(invoice.id).attempt_count == 2
    good = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    paid = client.v1.invoices.pay(invoice.id, params={"payment_method": good.id})
    assert paid.status == "paid"
    assert client.v1.subscriptions.retrieve(sub.id).status == "active"
    page = httpx.get(paid.hosted_invoice_url)
    assert page.status_code == 200
    assert paid.number in page.text
    pdf = httpx.get(paid.invoice_pdf)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-1.4")
    assert pdf.content.rstrip().endswith(b"%%EOF")
    lines = client.v1.invoices.line_items.list(invoice.id)
    assert [line.amount for line in lines.data] == [900]
