"""Customers, products and prices through the official SDK, sync and async."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from stripe_sandbox.testing import RunningSandbox


def test_customer_create_retrieve_update_delete(client: stripe.StripeClient) -> None:
    created = client.v1.customers.create(
        params={"email": "jo@example.com", "name": "Jo", "metadata": {"user": "u1"}}
    )
    assert created.id.startswith("cus_")
    assert client.v1.customers.retrieve(created.id).email == "jo@example.com"
    updated = client.v1.customers.update(
        created.id,
        params={
            "name": "Jo Doe",
            "phone": "+33100000000",
            "address": {"line1": "1 Rue", "city": "Paris", "country": "FR"},
            "metadata": {"user": "", "plan": "pro"},
        },
    )
    assert updated.name == "Jo Doe"
    assert updated.address is not None
    assert updated.address.city == "Paris"
    assert updated.metadata.to_dict() == {"plan": "pro"}
    gone = client.v1.customers.delete(created.id)
    assert gone.deleted is True
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.customers.retrieve(created.id)


def test_customer_default_payment_method_must_be_attached(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "jo@example.com"})
    stray = client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 1, "exp_year": 2040},
        }  # type: ignore[typeddict-item]
    )
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.customers.update(
            customer.id, params={"invoice_settings": {"default_payment_method": stray.id}}
        )
    client.v1.payment_methods.attach(stray.id, params={"customer": customer.id})
    updated = client.v1.customers.update(
        customer.id,
        params={"invoice_settings": {"default_payment_method": stray.id}},
    )
    assert updated.invoice_settings is not None
    assert updated.invoice_settings.default_payment_method == stray.id
    expanded = client.v1.customers.retrieve(
        customer.id, params={"expand": ["invoice_settings.default_payment_method"]}
    )
    pm: Any = expanded.invoice_settings.default_payment_method  # type: ignore[union-attr]
    assert pm.card.last4 == "4242"


def test_lists_paginate_newest_first_with_cursors(client: stripe.StripeClient) -> None:
    ids = [client.v1.customers.create(params={"email": f"c{i}@example.com"}).id for i in range(5)]
    newest_first = list(reversed(ids))
    page = client.v1.customers.list(params={"limit": 2})
    assert [c.id for c in page.data] == newest_first[:2]
    assert page.has_more is True
    assert page.url == "/v1/customers"
    second = client.v1.customers.list(params={"limit": 2, "starting_after": page.data[-1].id})
    assert [c.id for c in second.data] == newest_first[2:4]
    last = client.v1.customers.list(params={"limit": 2, "starting_after": second.data[-1].id})
    assert [c.id for c in last.data] == newest_first[4:]
    assert last.has_more is False
    back = client.v1.customers.list(params={"limit": 2, "ending_before": last.data[0].id})
    assert [c.id for c in back.data] == newest_first[2:4]
    assert back.has_more is True
    every = [c.id for c in client.v1.customers.list(params={"limit": 2}).auto_paging_iter()]
    assert every == newest_first
    by_email = client.v1.customers.list(params={"email": "c3@example.com"})
    assert [c.id for c in by_email.data] == [ids[3]]


def test_products_and_prices_with_filters(
    client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    pro = plans["pro"]
    assert client.v1.products.retrieve(pro.id).name == "Pro"
    assert client.v1.products.update(pro.id, params={"description": "Best"}).description == "Best"
    monthly = plans["pro_monthly"]
    assert monthly.recurring.interval == "month"
    assert monthly.recurring.interval_count == 1
    assert monthly.recurring.usage_type == "licensed"
    assert monthly.unit_amount == 2900
    of_pro = client.v1.prices.list(params={"product": pro.id})
    assert {p.id for p in of_pro.data} == {plans["pro_monthly"].id, plans["pro_yearly"].id}
    by_key = client.v1.prices.list(params={"lookup_keys": ["basic_yearly", "pro_monthly"]})
    assert {p.lookup_key for p in by_key.data} == {"basic_yearly", "pro_monthly"}
    client.v1.prices.update(plans["basic_yearly"].id, params={"active": False})
    active = client.v1.prices.list(params={"active": True})
    assert plans["basic_yearly"].id not in {p.id for p in active.data}
    with pytest.raises(stripe.InvalidRequestError) as taken:
        client.v1.prices.create(
            params={
                "product": pro.id,
                "currency": "usd",
                "unit_amount": 1,
                "lookup_key": "pro_monthly",
            }
        )
    assert taken.value.param == "lookup_key"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.products.delete(pro.id)
    lonely = client.v1.products.create(params={"name": "Lonely"})
    assert client.v1.products.delete(lonely.id).deleted is True


def test_metered_prices_keep_their_usage_type(client: stripe.StripeClient) -> None:
    price = client.v1.prices.create(
        params={
            "product_data": {"name": "API calls"},
            "currency": "usd",
            "unit_amount": 2,
            "recurring": {"interval": "month", "usage_type": "metered"},
        }
    )
    assert price.recurring is not None
    assert price.recurring.usage_type == "metered"


async def test_the_async_methods_work_too(sandbox: RunningSandbox) -> None:
    http_client = stripe.HTTPXClient()
    client = stripe.StripeClient(
        "sk_test_async", base_addresses={"api": sandbox.url}, http_client=http_client
    )
    try:
        created = await client.v1.customers.create_async(params={"email": "async@example.com"})
        fetched = await client.v1.customers.retrieve_async(created.id)
        assert fetched.email == "async@example.com"
        listed = await client.v1.customers.list_async(params={"limit": 1})
        assert [c.id for c in listed.data] == [created.id]
    finally:
        await http_client.close_async()
