"""Portal sessions without the SDK's per-request machinery (``adapters/stripe/lean_post.py``):
the same request on the wire as the SDK's, its retries, its errors and the same metrics."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import stripe
from metrics_scrape import value
from prometheus_client import generate_latest

from adapters.stripe import StripeBillingProvider, StripeSettings, open_stripe_client
from adapters.stripe.lean_post import LeanPortalSessions, form_body
from adapters.stripe.portal_session import portal_session_params
from application.errors import ProviderRejected, ProviderUnavailable
from application.ports.billing_provider import PortalSession, PortalSessionRequest
from domain.portal_flow import FlowType, PortalFlow

from .conftest import API_KEY, settings_for
from .fake_stripe import FakeStripe, RecordedRequest
from .stripe_objects import example, stripe_error

PATH = "/v1/billing_portal/sessions"
OPERATION = "POST /v1/billing_portal/sessions"
RETURN_URL = "https://app.example.com/billing?action=portal_return"
CONFIRM = PortalFlow(
    FlowType.SUBSCRIPTION_UPDATE_CONFIRM,
    subscription_id="sub_1",
    item_id="si_1",
    price_id="price_pro",
    quantity=3,
)
REQUEST = PortalSessionRequest("cus_123", "bpc_b2c", RETURN_URL, flow=CONFIRM, locale="fr-CA")
SERVER_ERROR = stripe_error("Something went wrong on Stripe's end.", type="api_error")


def session_body(session_id: str = "bps_1") -> dict[str, Any]:
    return example(
        "billing_portal.session", id=session_id, url=f"https://billing.example/{session_id}"
    )


async def _lean_and_sdk(
    fake_stripe: FakeStripe, status: int, body: Any, headers: dict[str, str] | None = None
) -> tuple[BaseException, BaseException]:
    """The exception each path raises for the same answer."""
    caught: list[BaseException] = []
    async with open_stripe_client(settings_for(fake_stripe.url)) as client:
        lean = LeanPortalSessions.of(client)
        assert lean is not None
        params = portal_session_params(REQUEST)
        for create in (
            lambda: lean.create(params, "k-lean"),
            lambda: client.v1.billing_portal.sessions.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": "k-sdk"},
            ),
        ):
            fake_stripe.reply("POST", PATH, body, status=status, headers=headers)
            with pytest.raises(stripe.StripeError) as error:
                await create()
            caught.append(error.value)
    return caught[0], caught[1]


def _wire_headers(request: RecordedRequest) -> dict[str, str]:
    """What the SDK sends that does not change per call or per process state."""
    varying = {"idempotency-key", "x-stripe-client-telemetry"}
    return {k: v for k, v in request.headers.items() if k not in varying}


async def test_the_request_is_the_sdks_own(fake_stripe: FakeStripe) -> None:
    fake_stripe.reply("POST", PATH, session_body("bps_sdk"))
    fake_stripe.reply("POST", PATH, session_body("bps_lean"))
    async with open_stripe_client(settings_for(fake_stripe.url)) as client:
        sdk = await client.v1.billing_portal.sessions.create_async(
            portal_session_params(REQUEST),  # type: ignore[arg-type]
            {"idempotency_key": "portal-session-sdk"},
        )
        provider = StripeBillingProvider(client)
        assert provider._sessions is not None  # the lean path is the one taken
        lean = await provider.create_portal_session(REQUEST)

    assert (sdk.id, lean) == (
        "bps_sdk",
        PortalSession("bps_lean", "https://billing.example/bps_lean"),
    )
    by_sdk, by_lean = fake_stripe.requests
    assert (by_lean.method, by_lean.path) == ("POST", PATH)
    assert by_lean.params == by_sdk.params
    assert by_lean.params["flow_data[subscription_update_confirm][items][0][quantity]"] == "3"
    assert _wire_headers(by_lean) == _wire_headers(by_sdk)
    assert by_lean.headers["stripe-version"] == "2026-10-28.endive"
    assert by_lean.headers["authorization"] == f"Bearer {API_KEY}"
    assert by_lean.headers["idempotency-key"].startswith("portal-session-")


def test_the_body_is_encoded_as_the_sdk_encodes_it() -> None:
    encoded = form_body(portal_session_params(REQUEST)).decode()

    assert encoded.startswith("customer=cus_123&configuration=bpc_b2c&return_url=https%3A%2F%2F")
    assert "flow_data[subscription_update_confirm][items][0][id]=si_1" in encoded


@pytest.mark.parametrize(
    ("status", "body", "headers"),
    [
        (400, stripe_error("No such configuration: 'bpc_gone'", code="resource_missing", param="configuration"), None),
        (404, stripe_error("No such customer: 'cus_123'", code="resource_missing", param="customer"), None),
        (401, stripe_error(f"Invalid API Key provided: {API_KEY}"), None),
        (403, stripe_error("The provided key does not have the required permissions"), None),
        (429, stripe_error("Too many requests", code="rate_limit"), {"Retry-After": "7"}),
        (500, SERVER_ERROR, None),
        (503, {"not": "an error object"}, None),
    ],
    ids=["invalid", "missing_customer", "key", "permission", "rate_limited", "server", "unavailable"],
)  # fmt: skip
async def test_a_failure_is_the_error_the_sdk_raises(
    fake_stripe: FakeStripe, status: int, body: Any, headers: dict[str, str] | None
) -> None:
    lean, sdk = await _lean_and_sdk(fake_stripe, status, body, headers)

    assert type(lean) is type(sdk)
    assert isinstance(lean, stripe.StripeError)
    assert isinstance(sdk, stripe.StripeError)
    assert (lean.http_status, lean.code, lean.user_message) == (
        sdk.http_status,
        sdk.code,
        sdk.user_message,
    )
    assert getattr(lean, "param", None) == getattr(sdk, "param", None)
    assert (lean.headers or {}).get("Retry-After") == (sdk.headers or {}).get("Retry-After")


async def test_a_stripe_error_becomes_the_same_application_error(
    provider: StripeBillingProvider, fake_stripe: FakeStripe
) -> None:
    body = stripe_error("No such price: 'price_pro'", code="resource_missing", param="flow_data")
    fake_stripe.reply("POST", PATH, body, status=400)

    with pytest.raises(ProviderRejected) as caught:
        await provider.create_portal_session(REQUEST)

    assert caught.value.param == "flow_data"
    assert "No such price: 'price_pro'" in caught.value.message
    assert isinstance(caught.value.__cause__, stripe.InvalidRequestError)


async def test_a_5xx_is_retried_with_the_same_key_and_backoff(
    fake_stripe: FakeStripe, sleeps: list[float]
) -> None:
    fake_stripe.reply("POST", PATH, SERVER_ERROR, status=500)
    fake_stripe.reply("POST", PATH, SERVER_ERROR, status=503)
    fake_stripe.reply("POST", PATH, session_body("bps_third"))

    async with open_stripe_client(settings_for(fake_stripe.url, retries=2)) as client:
        session = await StripeBillingProvider(client).create_portal_session(REQUEST)

    assert session.id == "bps_third"
    keys = {r.headers["idempotency-key"] for r in fake_stripe.requests}
    assert len(fake_stripe.requests) == 3
    assert len(keys) == 1
    assert all(r.params == fake_stripe.requests[0].params for r in fake_stripe.requests)
    assert len(sleeps) == 2
    assert sleeps[0] == 0.5
    assert 0.5 <= sleeps[1] <= 1.0


async def test_retries_end_with_the_last_answers_error(
    fake_stripe: FakeStripe, sleeps: list[float]
) -> None:
    for _ in range(3):
        fake_stripe.reply("POST", PATH, SERVER_ERROR, status=500)

    async with open_stripe_client(settings_for(fake_stripe.url, retries=2)) as client:
        with pytest.raises(ProviderUnavailable) as caught:
            await StripeBillingProvider(client).create_portal_session(REQUEST)

    assert len(fake_stripe.requests) == 3
    assert len(sleeps) == 2
    assert isinstance(caught.value.__cause__, stripe.APIError)


@pytest.mark.parametrize(
    ("status", "headers", "tries"),
    [
        (409, {}, 2),
        (500, {"Stripe-Should-Retry": "false"}, 1),
        (400, {"Stripe-Should-Retry": "true"}, 2),
        (400, {}, 1),
        (429, {}, 1),
    ],
    ids=["conflict", "told_not_to", "told_to", "refused", "rate_limited"],
)
async def test_which_answers_are_retried(
    fake_stripe: FakeStripe,
    sleeps: list[float],
    status: int,
    headers: dict[str, str],
    tries: int,
) -> None:
    fake_stripe.reply("POST", PATH, stripe_error("no"), status=status, headers=headers)
    if tries == 2:
        fake_stripe.reply("POST", PATH, session_body())

    async with open_stripe_client(settings_for(fake_stripe.url, retries=1)) as client:
        provider = StripeBillingProvider(client)
        if tries == 2:
            assert (await provider.create_portal_session(REQUEST)).id == "bps_1"
        else:
            with pytest.raises((ProviderRejected, ProviderUnavailable)):
                await provider.create_portal_session(REQUEST)

    assert len(fake_stripe.requests) == tries
    assert len(sleeps) == tries - 1


@pytest.fixture
async def drops_first() -> AsyncIterator[tuple[str, list[bytes]]]:
    """A server that reads the first request and closes without answering, then answers
    each later one with a session (one request per connection)."""
    seen: list[bytes] = []
    body = (b'{"id": "bps_after_drop", "object": "billing_portal.session", '
            b'"url": "https://billing.example/after"}')  # fmt: skip

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        seen.append(head + await reader.readexactly(length))
        if len(seen) > 1:
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
            )
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}", seen


async def test_a_dropped_connection_is_retried_with_the_same_key(
    drops_first: tuple[str, list[bytes]], sleeps: list[float]
) -> None:
    url, seen = drops_first

    async with open_stripe_client(settings_for(url, retries=1)) as client:
        session = await StripeBillingProvider(client).create_portal_session(REQUEST)

    assert session.id == "bps_after_drop"
    assert len(seen) == 2
    assert len(sleeps) == 1
    first, second = ({k.lower(): v for k, _, v in (h.partition(b": ") for h in s.split(b"\r\n"))}
                     for s in seen)  # fmt: skip
    assert first[b"idempotency-key"] == second[b"idempotency-key"]
    assert seen[0].split(b"\r\n\r\n")[1] == seen[1].split(b"\r\n\r\n")[1]


async def test_an_unreachable_stripe_is_retried_then_unavailable(sleeps: list[float]) -> None:
    before = generate_latest().decode()

    async with open_stripe_client(settings_for("http://127.0.0.1:1", retries=2)) as client:
        with pytest.raises(ProviderUnavailable) as caught:
            await StripeBillingProvider(client).create_portal_session(REQUEST)

    assert isinstance(caught.value.__cause__, stripe.APIConnectionError)
    assert len(sleeps) == 2
    after = generate_latest().decode()
    labels = {"operation": OPERATION, "result": "connection_error"}
    moved = value(after, "billing_portal_stripe_requests_total", **labels) - value(
        before, "billing_portal_stripe_requests_total", **labels
    )
    assert moved == 1


async def test_one_metric_sample_per_call_retries_included(
    fake_stripe: FakeStripe, sleeps: list[float]
) -> None:
    before = generate_latest().decode()
    fake_stripe.reply("POST", PATH, SERVER_ERROR, status=500)
    fake_stripe.reply("POST", PATH, session_body())
    fake_stripe.reply("POST", PATH, stripe_error("no", param="configuration"), status=400)

    async with open_stripe_client(settings_for(fake_stripe.url, retries=1)) as client:
        provider = StripeBillingProvider(client)
        await provider.create_portal_session(REQUEST)
        with pytest.raises(ProviderRejected):
            await provider.create_portal_session(REQUEST)
    after = generate_latest().decode()

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    requests = "billing_portal_stripe_requests_total"
    assert moved(requests, operation=OPERATION, result="ok") == 1
    assert moved(requests, operation=OPERATION, result="client_error") == 1
    assert moved(requests, operation=OPERATION, result="server_error") == 0
    durations = "billing_portal_stripe_request_duration_seconds_count"
    assert moved(durations, operation=OPERATION) == 2


async def test_the_sdk_path_behind_a_proxy_or_another_client(
    monkeypatch: pytest.MonkeyPatch, fake_stripe: FakeStripe
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    async with open_stripe_client(StripeSettings(api_key=API_KEY)) as client:
        assert LeanPortalSessions.of(client) is None  # httpx's own pool honours the proxy
    monkeypatch.delenv("HTTPS_PROXY")
    client = stripe.StripeClient(API_KEY, http_client=stripe.HTTPXClient())
    assert LeanPortalSessions.of(client) is None


async def test_a_base_address_with_a_path_keeps_it_in_the_request_and_the_metric(
    fake_stripe: FakeStripe,
) -> None:
    before = generate_latest().decode()
    prefixed = "/stripe" + PATH
    fake_stripe.reply("POST", prefixed, session_body("bps_sdk"))
    fake_stripe.reply("POST", prefixed, session_body("bps_lean"))

    async with open_stripe_client(settings_for(fake_stripe.url + "/stripe")) as client:
        await client.v1.billing_portal.sessions.create_async(
            portal_session_params(REQUEST),  # type: ignore[arg-type]
        )
        assert (await StripeBillingProvider(client).create_portal_session(REQUEST)).id == "bps_lean"
    after = generate_latest().decode()

    assert [r.path for r in fake_stripe.requests] == [prefixed, prefixed]
    labels = {"operation": "POST " + prefixed, "result": "ok"}
    requests = "billing_portal_stripe_requests_total"
    assert value(after, requests, **labels) - value(before, requests, **labels) == 2
