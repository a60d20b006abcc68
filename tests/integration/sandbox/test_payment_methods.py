"""Cards from Stripe's test numbers: create, attach (declines), detach, list, charge failures."""

from __future__ import annotations

import pytest
import stripe

from .conftest import new_customer


def card(client: stripe.StripeClient, number: str) -> stripe.PaymentMethod:
    return client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2040, "cvc": "123"},
        }  # type: ignore[typeddict-item]
    )


def test_a_good_card_attaches_lists_and_detaches(client: stripe.StripeClient) -> None:
    customer = new_customer(client, card=None)
    pm = card(client, "4242424242424242")
    assert pm.card is not None
    assert (pm.card.brand, pm.card.last4) == ("visa", "4242")
    attached = client.v1.payment_methods.attach(pm.id, params={"customer": customer.id})
    assert attached.customer == customer.id
    listed = client.v1.payment_methods.list(params={"customer": customer.id, "type": "card"})
    assert [p.id for p in listed.data] == [pm.id]
    via_customer = client.v1.customers.payment_methods.list(customer.id)
    assert [p.id for p in via_customer.data] == [pm.id]
    assert client.v1.payment_methods.retrieve(pm.id).customer == customer.id
    detached = client.v1.payment_methods.detach(pm.id)
    assert detached.customer is None
    assert client.v1.payment_methods.list(params={"customer": customer.id}).data == []


def test_the_declined_test_card_is_refused_at_attach_with_a_402(
    client: stripe.StripeClient,
) -> None:
    customer = new_customer(client, card=None)
    pm = card(client, "4000000000000002")
    with pytest.raises(stripe.CardError) as caught:
        client.v1.payment_methods.attach(pm.id, params={"customer": customer.id})
    assert caught.value.http_status == 402
    assert caught.value.code == "card_declined"
    with pytest.raises(stripe.CardError):
        client.v1.payment_methods.attach("pm_card_chargeDeclined", params={"customer": customer.id})


def test_test_tokens_create_cards_on_attach(client: stripe.StripeClient) -> None:
    customer = new_customer(client, card=None)
    pm = client.v1.payment_methods.attach("pm_card_mastercard", params={"customer": customer.id})
    assert pm.id.startswith("pm_")
    assert pm.id != "pm_card_mastercard"
    assert pm.card is not None
    assert pm.card.brand == "mastercard"


def test_invalid_numbers_are_card_errors(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.CardError) as caught:
        card(client, "4242424242424241")
    assert caught.value.code == "incorrect_number"


def test_detaching_the_default_card_clears_the_customer_default(
    client: stripe.StripeClient,
) -> None:
    customer = new_customer(client)
    default = customer.invoice_settings.default_payment_method
    client.v1.payment_methods.detach(default)
    after = client.v1.customers.retrieve(customer.id)
    assert after.invoice_settings is not None
    assert after.invoice_settings.default_payment_method is None


def test_the_0341_card_attaches_but_its_charges_fail(
    client: stripe.StripeClient, plans: dict[str, stripe.Price]
) -> None:
    customer = new_customer(client, card=None)
    pm = card(client, "4000000000000341")
    client.v1.payment_methods.attach(pm.id, params={"customer": customer.id})
    sub = client.v1.subscriptions.create(
        params={
            "customer": customer.id,
            "items": [{"price": plans["basic_monthly"].id}],
            "default_payment_method": pm.id,
            "expand": ["latest_invoice"],
        }
    )
    assert sub.status == "incomplete"
    invoice = sub.latest_invoice
    assert isinstance(invoice, stripe.Invoice)
    assert invoice.status == "open"
    assert invoice.attempt_count == 1
    assert invoice.hosted_invoice_url is not None


def test_a_customers_payment_methods_page_and_an_unknown_customer_is_a_404(
    client: stripe.StripeClient,
) -> None:
    """``GET /v1/customers/{id}/payment_methods``: only that customer's, in pages."""
    customer, other = new_customer(client, card=None), new_customer(client, card=None)
    mine = [
        client.v1.payment_methods.attach(token, params={"customer": customer.id}).id
        for token in ("pm_card_visa", "pm_card_mastercard", "pm_card_amex")
    ]
    client.v1.payment_methods.attach("pm_card_visa", params={"customer": other.id})

    first = client.v1.customers.payment_methods.list(customer.id, params={"limit": 2})
    rest = client.v1.customers.payment_methods.list(
        customer.id, params={"limit": 2, "starting_after": first.data[-1].id}
    )
    assert first.has_more
    assert not rest.has_more
    assert sorted(p.id for p in [*first.data, *rest.data]) == sorted(mine)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.payment_methods.list("cus_Unknown0")
    assert (caught.value.http_status, caught.value.code) == (404, "resource_missing")
