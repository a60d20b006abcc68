"""Stripe's wire format: form decoding, keys, idempotency, errors, rate limits."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import stripe

from stripe_sandbox import SandboxSettings
from stripe_sandbox.http.forms import parse_form
from stripe_sandbox.testing import RunningSandbox, running_sandbox

from .conftest import new_customer, sdk


def test_nested_form_keys_decode_to_lists_and_hashes() -> None:
    raw = (
        "items[0][price]=p1&items[0][quantity]=2&items[1][price]=p2&expand[]=a&expand[]=b"
        "&features[subscription_update][products][0][prices][]=x"
        "&features[subscription_update][products][0][prices][]=y"
        "&features[subscription_update][products][0][product]=prod&metadata[k]="
    )
    assert parse_form(raw) == {
        "items": [{"price": "p1", "quantity": "2"}, {"price": "p2"}],
        "expand": ["a", "b"],
        "features": {
            "subscription_update": {"products": [{"prices": ["x", "y"], "product": "prod"}]}
        },
        "metadata": {"k": ""},
    }


def test_a_key_that_is_not_a_test_secret_key_is_refused(sandbox: RunningSandbox) -> None:
    with pytest.raises(stripe.AuthenticationError) as caught:
        sdk(sandbox.url, key="pk_test_public").v1.customers.list()
    assert caught.value.http_status == 401


def test_a_request_without_a_key_gets_stripes_401_body(sandbox: RunningSandbox) -> None:
    response = httpx.get(f"{sandbox.url}/v1/customers")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert set(error) >= {"type", "code", "message", "param"}


def test_unknown_ids_are_404_resource_missing(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.retrieve("cus_missing")
    assert caught.value.http_status == 404
    assert caught.value.code == "resource_missing"
    assert caught.value.param == "id"


@pytest.mark.parametrize("listing", ["subscriptions", "payment_methods"])
def test_listing_by_an_unknown_customer_is_404_naming_the_customer(
    sandbox: RunningSandbox, client: stripe.StripeClient, listing: str
) -> None:
    known = new_customer(client, card=None)
    gone = new_customer(client, card=None)
    client.v1.customers.delete(gone.id)

    def listed(customer: str) -> httpx.Response:
        return httpx.get(
            f"{sandbox.url}/v1/{listing}",
            params={"customer": customer},
            headers={"Authorization": "Bearer sk_test_x"},
        )

    assert listed(known.id).json()["data"] == []
    for customer in ("cus_missing", gone.id):
        response = listed(customer)
        assert response.status_code == 404
        assert response.json()["error"] == {
            "type": "invalid_request_error",
            "code": "resource_missing",
            "message": f"No such customer: '{customer}'",
            "param": "customer",
        }
    with pytest.raises(stripe.InvalidRequestError) as caught:
        getattr(client.v1, listing).list(params={"customer": "cus_missing"})
    assert (caught.value.http_status, caught.value.code, caught.value.param) == (
        404,
        "resource_missing",
        "customer",
    )


def test_invalid_parameters_are_400_naming_the_parameter(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.prices.create(params={"currency": "usd", "product": "prod_x"})
    assert caught.value.http_status == 404
    with pytest.raises(stripe.InvalidRequestError) as bad_limit:
        client.v1.customers.list(params={"limit": 1000})
    assert bad_limit.value.http_status == 400
    assert bad_limit.value.param == "limit"


def test_unknown_urls_are_404_like_stripe(sandbox: RunningSandbox) -> None:
    response = httpx.get(
        f"{sandbox.url}/v1/nothing_here", headers={"Authorization": "Bearer sk_test_x"}
    )
    assert response.status_code == 404
    assert "Unrecognized request URL" in response.json()["error"]["message"]


def test_same_idempotency_key_and_params_replays_the_first_response(
    client: stripe.StripeClient,
) -> None:
    options: stripe.RequestOptions = {"idempotency_key": "create-jo-1"}
    first = client.v1.customers.create(params={"email": "jo@example.com"}, options=options)
    again = client.v1.customers.create(params={"email": "jo@example.com"}, options=options)
    assert again.id == first.id
    assert again.last_response is not None
    assert again.last_response.headers.get("Idempotent-Replayed") == "true"
    assert len(client.v1.customers.list().data) == 1


def test_same_idempotency_key_with_other_params_is_an_idempotency_error(
    client: stripe.StripeClient,
) -> None:
    options: stripe.RequestOptions = {"idempotency_key": "create-jo-2"}
    client.v1.customers.create(params={"email": "jo@example.com"}, options=options)
    with pytest.raises(stripe.IdempotencyError) as caught:
        client.v1.customers.create(params={"email": "other@example.com"}, options=options)
    assert caught.value.http_status == 400
    assert caught.value.error is not None
    assert caught.value.error.type == "idempotency_error"


def test_too_many_requests_per_second_are_429(tmp_path: Path) -> None:
    settings = SandboxSettings(rate_limit_per_second=2)
    with running_sandbox(settings) as running:
        client = sdk(running.url)
        statuses = []
        for _ in range(5):
            try:
                client.v1.customers.list()
                statuses.append(200)
            except stripe.RateLimitError as error:
                statuses.append(error.http_status)
        assert statuses[:2] == [200, 200]
        assert 429 in statuses


def test_expanding_a_field_that_is_not_expandable_is_400(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "jo@example.com"})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.retrieve(customer.id, params={"expand": ["email"]})
    assert caught.value.param == "expand"
