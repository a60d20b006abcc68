"""Reads without the SDK's per-request machinery (``adapters/stripe/lean_get.py``): the same
request on the wire as ``raw_request_async``'s, the same JSON and headers back, its retries,
its errors and the same metrics; and both lean paths stepping aside when the SDK's private
helpers they use are gone."""

from __future__ import annotations

import json
from typing import Any

import pytest
import stripe
from metrics_scrape import value
from prometheus_client import generate_latest

from adapters.stripe import (
    StripeBillingEventSource,
    StripeBillingProvider,
    open_stripe_client,
    sdk_internals,
)
from adapters.stripe.lean_get import LeanGets, RawAnswer
from adapters.stripe.lean_post import LeanPortalSessions
from application.ports.billing_provider import PortalSessionRequest

from .conftest import API_KEY, settings_for
from .fake_stripe import FakeStripe, RecordedRequest
from .stripe_objects import example, stripe_error, stripe_list

PATH = "/v1/subscriptions"
PARAMS: dict[str, Any] = {
    "status": "all",
    "customer": "cus_1",
    "expand": ["data.items.data.price", "data.latest_invoice"],
    "limit": 100,
    "starting_after": "sub_9",
}
SERVER_ERROR = stripe_error("Something went wrong on Stripe's end.", type="api_error")


def _wire_headers(request: RecordedRequest) -> dict[str, str]:
    return {k: v for k, v in request.headers.items() if k != "x-stripe-client-telemetry"}


async def test_the_request_and_the_answer_are_the_sdks_own(fake_stripe: FakeStripe) -> None:
    page = stripe_list([example("subscription", id="sub_10")], url=PATH)
    fake_stripe.reply("GET", PATH, page, headers={"Stripe-Should-Retry": "false"})
    fake_stripe.reply("GET", PATH, page, headers={"Stripe-Should-Retry": "false"})
    async with open_stripe_client(settings_for(fake_stripe.url)) as client:
        lean = LeanGets.of(client)
        assert lean is not None
        by_sdk = await client.raw_request_async("get", PATH, **PARAMS)
        by_lean = await lean("get", PATH, **PARAMS)

    assert isinstance(by_lean, RawAnswer)
    assert by_lean.data == by_sdk.data == json.loads(json.dumps(page))
    varying = {"date", "request-id"}
    assert {k: v for k, v in by_lean.headers.items() if k not in varying} == {
        k: v for k, v in dict(by_sdk.headers).items() if k not in varying
    }
    assert "date" in by_lean.headers  # what the mirror's versions are read from
    sdk_request, lean_request = fake_stripe.requests
    assert (lean_request.method, lean_request.path) == ("GET", PATH)
    assert lean_request.params == sdk_request.params
    assert lean_request.params["expand[1]"] == "data.latest_invoice"
    assert _wire_headers(lean_request) == _wire_headers(sdk_request)
    assert lean_request.headers["authorization"] == f"Bearer {API_KEY}"
    assert "idempotency-key" not in lean_request.headers


async def test_the_event_source_reads_through_it(fake_stripe: FakeStripe) -> None:
    fake_stripe.reply("GET", "/v1/invoices/in_1", example("invoice", id="in_1"))
    async with open_stripe_client(settings_for(fake_stripe.url)) as client:
        source = StripeBillingEventSource(client)
        assert isinstance(source._raw_get, LeanGets)
        invoice = await source.retrieve_invoice("in_1")

    assert invoice is not None
    assert invoice.id == "in_1"


@pytest.mark.parametrize(
    ("status", "body", "headers"),
    [
        (404, stripe_error("No such subscription: 'sub_x'", code="resource_missing", param="id"), None),
        (401, stripe_error(f"Invalid API Key provided: {API_KEY}"), None),
        (429, stripe_error("Too many requests", code="rate_limit"), {"Retry-After": "7"}),
        (500, SERVER_ERROR, None),
        (200, ["not", "an", "object"], None),
    ],
    ids=["missing", "key", "rate_limited", "server", "not_an_object"],
)  # fmt: skip
async def test_any_other_answer_is_read_as_the_sdk_reads_it(
    fake_stripe: FakeStripe, status: int, body: Any, headers: dict[str, str] | None
) -> None:
    outcomes: list[Any] = []
    async with open_stripe_client(settings_for(fake_stripe.url)) as client:
        lean = LeanGets.of(client)
        assert lean is not None
        for get in (client.raw_request_async, lean):
            fake_stripe.reply("GET", PATH, body, status=status, headers=headers)
            try:
                outcomes.append(await get("get", PATH, limit=1))
            except stripe.StripeError as error:
                outcomes.append(error)

    by_sdk, by_lean = outcomes
    assert type(by_lean) is type(by_sdk)
    if isinstance(by_sdk, stripe.StripeError):
        assert (by_lean.http_status, by_lean.code, by_lean.user_message) == (
            by_sdk.http_status,
            by_sdk.code,
            by_sdk.user_message,
        )
        assert (by_lean.headers or {}).get("Retry-After") == (by_sdk.headers or {}).get(
            "Retry-After"
        )
    else:
        assert by_lean.data == by_sdk.data


async def test_a_5xx_is_retried_with_the_sdks_backoff_and_counted_once(
    fake_stripe: FakeStripe, sleeps: list[float]
) -> None:
    before = generate_latest().decode()
    fake_stripe.reply("GET", "/v1/customers/cus_1", SERVER_ERROR, status=500)
    fake_stripe.reply("GET", "/v1/customers/cus_1", SERVER_ERROR, status=503)
    fake_stripe.reply("GET", "/v1/customers/cus_1", example("customer", id="cus_1"))

    async with open_stripe_client(settings_for(fake_stripe.url, retries=2)) as client:
        lean = LeanGets.of(client)
        assert lean is not None
        answer = await lean("get", "/v1/customers/cus_1", expand=["tax_ids"])

    assert answer.data["id"] == "cus_1"
    assert len(fake_stripe.requests) == 3
    assert all(r.params == {"expand[0]": "tax_ids"} for r in fake_stripe.requests)
    assert len(sleeps) == 2
    after = generate_latest().decode()
    labels = {"operation": "GET /v1/customers/{id}", "result": "ok"}
    name = "billing_portal_stripe_requests_total"
    assert value(after, name, **labels) - value(before, name, **labels) == 1


async def test_a_call_with_request_options_is_the_sdks_own(fake_stripe: FakeStripe) -> None:
    fake_stripe.reply("GET", "/v1/customers/cus_1", example("customer", id="cus_1"))
    async with open_stripe_client(settings_for(fake_stripe.url)) as client:
        lean = LeanGets.of(client)
        assert lean is not None
        answer = await lean("get", "/v1/customers/cus_1", stripe_account="acct_1")

    assert not isinstance(answer, RawAnswer)
    assert answer.data["id"] == "cus_1"
    assert fake_stripe.requests[0].headers["stripe-account"] == "acct_1"


async def test_a_path_that_is_not_origin_relative_is_refused_before_sending(
    fake_stripe: FakeStripe,
) -> None:
    async with open_stripe_client(settings_for(fake_stripe.url)) as client:
        lean = LeanGets.of(client)
        assert lean is not None
        with pytest.raises(ValueError, match="single"):
            await lean("get", "//evil.example/v1/customers")

    assert fake_stripe.requests == []


async def test_without_the_sdks_private_helpers_every_call_goes_through_the_sdk(
    fake_stripe: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An SDK release that moved one of the private names the lean paths use: the
    service still starts and reads and creates sessions the SDK's way."""
    monkeypatch.setattr(sdk_internals, "AVAILABLE", False)
    fake_stripe.reply("GET", "/v1/invoices/in_1", example("invoice", id="in_1"))
    fake_stripe.reply("POST", "/v1/billing_portal/sessions", example("billing_portal.session"))
    async with open_stripe_client(settings_for(fake_stripe.url)) as client:
        assert LeanGets.of(client) is None
        assert LeanPortalSessions.of(client) is None
        source = StripeBillingEventSource(client)
        assert source._raw_get == client.raw_request_async
        provider = StripeBillingProvider(client)
        assert provider._sessions is None
        invoice = await source.retrieve_invoice("in_1")
        session = await provider.create_portal_session(
            PortalSessionRequest("cus_1", "bpc_1", "https://app.example.com/billing")
        )

    assert invoice is not None
    assert invoice.id == "in_1"
    assert session.id
