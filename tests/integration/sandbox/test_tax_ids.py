"""Customer tax ids over the API: create with format checks, list, retrieve, delete, events."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from stripe_sandbox.testing import RunningSandbox

from .conftest import new_customer
from .portal_support import events_since, last_event_id


@pytest.mark.parametrize(
    ("kind", "given", "stored", "country"),
    [
        ("eu_vat", "DE 123 456 789", "DE123456789", "DE"),
        ("eu_vat", "el123456789", "EL123456789", "GR"),
        ("us_ein", "12-3456789", "12-3456789", "US"),
        ("us_ein", "123456789", "12-3456789", "US"),
        ("gb_vat", "GB123456789", "GB123456789", "GB"),
    ],
)
def test_a_valid_tax_id_is_stored_normalized(
    client: stripe.StripeClient, kind: str, given: str, stored: str, country: str
) -> None:
    customer = new_customer(client, card=None)
    marker = last_event_id(client)
    tax_id = client.v1.customers.tax_ids.create(customer.id, params={"type": kind, "value": given})
    assert tax_id.id.startswith("txi_")
    assert (tax_id.type, tax_id.value, tax_id.country, tax_id.customer) == (
        kind,
        stored,
        country,
        customer.id,
    )
    assert tax_id.owner.customer == customer.id
    (event,) = events_since(client, marker)
    assert (event.type, event.data.object.id) == ("customer.tax_id.created", tax_id.id)


@pytest.mark.parametrize(
    ("kind", "value"),
    [("eu_vat", "US123456789"), ("eu_vat", "DE1"), ("us_ein", "12-345"), ("gb_vat", "GB12")],
)
def test_a_malformed_tax_id_is_refused(client: stripe.StripeClient, kind: str, value: str) -> None:
    customer = new_customer(client, card=None)
    marker = last_event_id(client)
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.customers.tax_ids.create(customer.id, params={"type": kind, "value": value})
    assert (refused.value.code, refused.value.param) == ("tax_id_invalid", "value")
    assert last_event_id(client) == marker
    assert client.v1.customers.tax_ids.list(customer.id).data == []


def test_list_retrieve_delete_and_invoices_carry_them(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer = new_customer(client)
    other = new_customer(client, card=None)
    vat = client.v1.customers.tax_ids.create(
        customer.id, params={"type": "eu_vat", "value": "FR12345678901"}
    )
    ein = client.v1.customers.tax_ids.create(
        customer.id, params={"type": "us_ein", "value": "98-7654321"}
    )
    listed = client.v1.customers.tax_ids.list(customer.id).data
    assert [t.id for t in listed] == [ein.id, vat.id]
    assert client.v1.customers.tax_ids.retrieve(customer.id, vat.id).value == "FR12345678901"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.customers.tax_ids.retrieve(other.id, vat.id)
    sub = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": plans["basic_monthly"].id}]}
    )
    invoice = client.v1.invoices.retrieve(str(sub.latest_invoice))
    assert [(t.type, t.value) for t in invoice.customer_tax_ids] == [
        ("eu_vat", "FR12345678901"),
        ("us_ein", "98-7654321"),
    ]
    marker = last_event_id(client)
    gone = client.v1.customers.tax_ids.delete(customer.id, vat.id)
    assert (gone.id, gone.deleted) == (vat.id, True)
    (event,) = events_since(client, marker)
    assert (event.type, event.data.object.id) == ("customer.tax_id.deleted", vat.id)
    assert [t.id for t in client.v1.customers.tax_ids.list(customer.id).data] == [ein.id]
