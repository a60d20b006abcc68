"""Stripe's failures become application errors that never quote the API key."""

from __future__ import annotations

import socket
from typing import Any

import pytest
import stripe

from adapters.stripe import StripeBillingProvider, open_stripe_client
from application.errors import (
    ApplicationError,
    BillingAccountGone,
    ProviderMisconfigured,
    ProviderRejected,
    ProviderUnavailable,
)
from application.ports.billing_provider import PortalSessionRequest

from .conftest import API_KEY, settings_for
from .fake_stripe import FakeStripe
from .stripe_objects import stripe_error

SUBSCRIPTIONS = "/v1/subscriptions"


def assert_key_not_quoted(error: ApplicationError) -> None:
    for text in (error.message, str(error), repr(error)):
        assert API_KEY not in text
        assert API_KEY[-12:] not in text


async def failing_list(
    provider: StripeBillingProvider, fake_stripe: FakeStripe, status: int, body: Any
) -> ApplicationError:
    fake_stripe.reply("GET", SUBSCRIPTIONS, body, status=status)
    with pytest.raises(ApplicationError) as caught:
        await provider.list_subscriptions("cus_123")
    assert isinstance(caught.value.__cause__, stripe.StripeError)
    assert_key_not_quoted(caught.value)
    return caught.value


async def test_a_rejected_key_is_a_misconfiguration_naming_the_setting(
    provider: StripeBillingProvider, fake_stripe: FakeStripe
) -> None:
    body = stripe_error(f"Invalid API Key provided: {API_KEY}")

    error = await failing_list(provider, fake_stripe, 401, body)

    assert isinstance(error, ProviderMisconfigured)
    assert error.message == "the Stripe key was rejected: check STRIPE_SECRET_KEY"


async def test_a_missing_permission_names_the_resource(
    provider: StripeBillingProvider, fake_stripe: FakeStripe
) -> None:
    body = stripe_error(
        f"The provided key '{API_KEY}' does not have the required permissions for this "
        "endpoint. Having the 'rak_subscription_read' permission would allow this request."
    )

    error = await failing_list(provider, fake_stripe, 403, body)

    assert isinstance(error, ProviderMisconfigured)
    assert "subscriptions" in error.message


@pytest.mark.parametrize("status", [400, 404])
async def test_an_unknown_customer_means_the_billing_account_is_gone(
    provider: StripeBillingProvider, fake_stripe: FakeStripe, status: int
) -> None:
    body = stripe_error("No such customer: 'cus_123'", code="resource_missing", param="customer")

    error = await failing_list(provider, fake_stripe, status, body)

    assert isinstance(error, BillingAccountGone)
    assert "cus_123" in error.message


async def test_another_invalid_request_is_rejected_with_its_param_and_no_key(
    provider: StripeBillingProvider, fake_stripe: FakeStripe
) -> None:
    fake_stripe.reply(
        "POST",
        "/v1/billing_portal/sessions",
        stripe_error(
            f"No such configuration: 'bpc_gone' (key {API_KEY})",
            code="resource_missing",
            param="configuration",
        ),
        status=400,
    )
    request = PortalSessionRequest("cus_123", "bpc_gone", "https://app.example.com/billing")

    with pytest.raises(ProviderRejected) as caught:
        await provider.create_portal_session(request)

    assert caught.value.param == "configuration"
    assert "No such configuration: 'bpc_gone'" in caught.value.message
    assert_key_not_quoted(caught.value)


async def test_a_reused_idempotency_key_is_rejected(
    provider: StripeBillingProvider, fake_stripe: FakeStripe
) -> None:
    body = stripe_error("Keys for idempotent requests ...", type="idempotency_error")
    fake_stripe.reply("POST", "/v1/billing_portal/configurations", body, status=400)

    with pytest.raises(ProviderRejected) as caught:
        await provider.create_configuration({"active": True}, idempotency_key="apply-1")

    assert "idempotency key" in caught.value.message


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (429, stripe_error("Too many requests hit the API too quickly.", code="rate_limit")),
        (500, stripe_error("Something went wrong on Stripe's end.", type="api_error")),
        (503, {"not": "an error object"}),
    ],
    ids=["rate_limited", "server_error", "unavailable"],
)
async def test_rate_limits_and_server_errors_mean_unavailable(
    provider: StripeBillingProvider, fake_stripe: FakeStripe, status: int, body: Any
) -> None:
    error = await failing_list(provider, fake_stripe, status, body)

    assert isinstance(error, ProviderUnavailable)
    assert error.retry_after_seconds == (2 if status == 429 else None)


@pytest.mark.parametrize(
    ("said", "seconds"), [("7", 7), ("0", 1), ("3600", 60), ("Wed, 21 Oct 2026 07:28:00 GMT", 2)]
)
async def test_a_rate_limit_keeps_stripes_retry_after_within_bounds(
    provider: StripeBillingProvider, fake_stripe: FakeStripe, said: str, seconds: int
) -> None:
    fake_stripe.reply(
        "GET",
        SUBSCRIPTIONS,
        stripe_error("Too many requests hit the API too quickly.", code="rate_limit"),
        status=429,
        headers={"Retry-After": said},
    )
    with pytest.raises(ProviderUnavailable) as caught:
        await provider.list_subscriptions("cus_123")

    assert caught.value.retry_after_seconds == seconds


async def test_a_refused_connection_means_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings = settings_for(f"http://127.0.0.1:{closed_port}")

    async with open_stripe_client(settings) as client:
        with pytest.raises(ProviderUnavailable) as caught:
            await StripeBillingProvider(client).list_subscriptions("cus_123")

    assert "could not reach Stripe" in caught.value.message
    assert_key_not_quoted(caught.value)
