"""Every call to Stripe is counted by operation (ids folded away), result and duration."""

from __future__ import annotations

import pytest
import stripe
from metrics_scrape import value
from prometheus_client import generate_latest

from adapters.stripe import StripeBillingProvider, open_stripe_client
from adapters.stripe.metered_http_client import operation_of
from application.errors import ProviderMisconfigured

from .conftest import settings_for
from .fake_stripe import FakeStripe
from .stripe_objects import example, stripe_error, stripe_list

REQUESTS = "billing_portal_stripe_requests_total"
DURATIONS = "billing_portal_stripe_request_duration_seconds_count"


def scrape() -> str:
    return generate_latest().decode()


def count(text: str, name: str, **labels: str) -> float:
    return value(text, name, **labels)


@pytest.mark.parametrize(
    ("method", "url", "operation"),
    [
        ("get", "https://api.stripe.com/v1/customers/cus_NffrFeUfNV2Hib", "GET /v1/customers/{id}"),
        ("post", "http://127.0.0.1:12111/v1/billing_portal/configurations/bpc_1Q2w3E", "POST /v1/billing_portal/configurations/{id}"),
        ("get", "https://api.stripe.com/v1/customers/cus_9s6XKzkNRiz8i3/payment_methods?limit=100", "GET /v1/customers/{id}/payment_methods"),
        ("get", "https://api.stripe.com/v1/subscriptions?customer=cus_1", "GET /v1/subscriptions"),
        ("post", "https://api.stripe.com/v1/test_helpers/test_clocks", "POST /v1/test_helpers/test_clocks"),
    ],
)  # fmt: skip
def test_operations_name_the_resource_never_the_object(
    method: str, url: str, operation: str
) -> None:
    assert operation_of(method, url) == operation


async def test_calls_are_counted_with_their_result(fake_stripe: FakeStripe) -> None:
    before = scrape()
    fake_stripe.reply("GET", "/v1/subscriptions", stripe_list([], "/v1/subscriptions"))
    fake_stripe.reply("GET", "/v1/customers/cus_Metrics42", example("customer", id="cus_Metrics42"))
    fake_stripe.reply(
        "GET",
        "/v1/subscriptions",
        stripe_error("Invalid API Key provided", type="invalid_request_error"),
        status=401,
    )

    async with open_stripe_client(settings_for(fake_stripe.url)) as client:
        await StripeBillingProvider(client).list_subscriptions("cus_Metrics42")
        await client.v1.customers.retrieve_async("cus_Metrics42")
        with pytest.raises(ProviderMisconfigured):
            await StripeBillingProvider(client).list_subscriptions("cus_Metrics42")
    after = scrape()

    def moved(name: str, **labels: str) -> float:
        return count(after, name, **labels) - count(before, name, **labels)

    listing = "GET /v1/subscriptions"
    assert moved(REQUESTS, operation=listing, result="ok") == 1
    assert moved(REQUESTS, operation=listing, result="client_error") == 1
    assert moved(REQUESTS, operation="GET /v1/customers/{id}", result="ok") == 1
    assert moved(DURATIONS, operation=listing) == 2
    assert "cus_Metrics42" not in after


async def test_an_unreachable_stripe_is_a_connection_error() -> None:
    before = scrape()

    async with open_stripe_client(settings_for("http://127.0.0.1:1")) as client:
        with pytest.raises(stripe.APIConnectionError):
            await client.v1.customers.retrieve_async("cus_Nowhere1")

    operation = "GET /v1/customers/{id}"
    assert (
        count(scrape(), REQUESTS, operation=operation, result="connection_error")
        - count(before, REQUESTS, operation=operation, result="connection_error")
        == 1
    )
