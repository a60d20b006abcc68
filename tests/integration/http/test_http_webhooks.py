"""POST /api/webhooks/stripe: verified, stored once, answered only once committed."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import structlog.testing
from litestar.datastructures import State
from metrics_scrape import value
from portal_harness import Portal, PortalFactory
from sqlalchemy import func, select
from webhook_signing import (
    CURRENT_SECRET,
    PREVIOUS_SECRET,
    URL,
    WEBHOOK_ENV,
    event_body,
    event_id_of,
    signature,
    signed_headers,
)

from adapters.persistence import create_engine
from adapters.persistence.tables import webhook_events
from entrypoints.http.webhooks import WebhookRoute

INVALID = "urn:billing-portal:problem:invalid-webhook"


async def inbox_rows(database_url: str, event_id: str) -> list[Any]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            query = select(webhook_events).where(webhook_events.c.id == event_id)
            return list((await connection.execute(query)).mappings())
    finally:
        await engine.dispose()


async def inbox_size(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            query = select(func.count()).select_from(webhook_events)
            return int((await connection.execute(query)).scalar_one())
    finally:
        await engine.dispose()


@pytest.fixture
async def hooks(make_portal: PortalFactory) -> Any:
    async with make_portal(apply=False, **WEBHOOK_ENV) as portal:
        yield portal


async def test_a_signed_event_is_stored_and_then_acknowledged(
    hooks: Portal, postgres_url: str
) -> None:
    body = event_body("customer.subscription.updated")

    response = await hooks.client.post(URL, content=body, headers=signed_headers(body))

    assert response.status_code == 200, response.text
    assert response.json() == {"received": True, "duplicate": False}
    [row] = await inbox_rows(postgres_url, event_id_of(body))
    assert (row["type"], row["status"], row["livemode"]) == (
        "customer.subscription.updated",
        "pending",
        False,
    )
    assert row["payload"]["data"]["object"]["id"] == "sub_123"


async def test_a_secret_being_rotated_out_still_verifies(hooks: Portal) -> None:
    body = event_body()

    response = await hooks.client.post(
        URL, content=body, headers=signed_headers(body, secret=PREVIOUS_SECRET)
    )

    assert response.status_code == 200


async def test_the_same_event_five_times_is_stored_once(hooks: Portal, postgres_url: str) -> None:
    body = event_body("invoice.paid")

    answers = [
        (await hooks.client.post(URL, content=body, headers=signed_headers(body))).json()
        for _ in range(5)
    ]

    assert answers[0] == {"received": True, "duplicate": False}
    assert answers[1:] == [{"received": True, "duplicate": True}] * 4
    assert len(await inbox_rows(postgres_url, event_id_of(body))) == 1


async def test_an_unknown_event_type_is_stored_not_refused(
    hooks: Portal, postgres_url: str
) -> None:
    body = event_body("entitlements.active_entitlement_summary.updated")

    response = await hooks.client.post(URL, content=body, headers=signed_headers(body))

    assert response.status_code == 200
    [row] = await inbox_rows(postgres_url, event_id_of(body))
    assert row["type"] == "entitlements.active_entitlement_summary.updated"


def _tampered(body: bytes) -> tuple[bytes, dict[str, str]]:
    return body.replace(b"sub_123", b"sub_666"), signed_headers(body)


def _old(body: bytes) -> tuple[bytes, dict[str, str]]:
    return body, signed_headers(body, timestamp=int(time.time()) - 301)


def _wrong_secret(body: bytes) -> tuple[bytes, dict[str, str]]:
    return body, signed_headers(body, secret="whsec_someone_else")


def _missing(body: bytes) -> tuple[bytes, dict[str, str]]:
    return body, {"Content-Type": "application/json"}


def _garbled(body: bytes) -> tuple[bytes, dict[str, str]]:
    return body, {"Stripe-Signature": "v1 deadbeef"}


def _not_json(_body: bytes) -> tuple[bytes, dict[str, str]]:
    junk = b"<xml>not an event</xml>"
    return junk, signed_headers(junk)


@pytest.mark.parametrize(
    ("forge", "reason"),
    [
        (_tampered, "no v1 signature matches"),
        (_old, "more than 300 s away from now"),
        (_wrong_secret, "no v1 signature matches"),
        (_missing, "Stripe-Signature header is missing"),
        (_garbled, "malformed"),
        (_not_json, "not JSON"),
    ],
)
async def test_an_unverifiable_delivery_is_a_400_saying_why_and_stores_nothing(
    hooks: Portal, postgres_url: str, forge: Any, reason: str
) -> None:
    before = await inbox_size(postgres_url)
    body, headers = forge(event_body())

    response = await hooks.client.post(URL, content=body, headers=headers)

    assert response.status_code == 400
    problem = response.json()
    assert problem["type"] == INVALID
    assert reason in problem["detail"]
    assert await inbox_size(postgres_url) == before


async def test_without_a_configured_secret_nothing_ever_verifies(
    make_portal: PortalFactory,
) -> None:
    body = event_body()
    async with make_portal(apply=False, STRIPE_WEBHOOK_SECRETS="") as portal:
        response = await portal.client.post(URL, content=body, headers=signed_headers(body))

    assert response.status_code == 400
    assert "no webhook signing secret is configured" in response.json()["detail"]


async def test_a_signature_made_with_an_empty_secret_is_refused(hooks: Portal) -> None:
    body = event_body()

    response = await hooks.client.post(
        URL, content=body, headers={"Stripe-Signature": signature(body, secret="")}
    )

    assert response.status_code == 400


async def test_a_live_mode_event_is_refused_by_a_test_mode_service(
    hooks: Portal, postgres_url: str
) -> None:
    body = event_body(livemode=True)

    response = await hooks.client.post(URL, content=body, headers=signed_headers(body))

    assert response.status_code == 400
    assert "live-mode event" in response.json()["detail"]
    assert await inbox_rows(postgres_url, event_id_of(body)) == []


async def test_a_test_mode_event_is_refused_by_a_live_mode_service(
    make_portal: PortalFactory,
) -> None:
    body = event_body(livemode=False)
    live = {
        **WEBHOOK_ENV,
        "STRIPE_SECRET_KEY": "sk_live_faked_provider",
        "PORTAL_ENV": "production",  # a live key runs under production rules only
        "PORTAL_MAIL_FROM": "Billing <billing@app.example.test>",
        "PORTAL_SMTP_HOST": "127.0.0.1",
    }
    async with make_portal(apply=False, **live) as portal:
        response = await portal.client.post(URL, content=body, headers=signed_headers(body))

    assert response.status_code == 400
    assert "accepts live-mode events only" in response.json()["detail"]


async def test_a_body_over_the_limit_is_a_413_before_anything_is_stored(
    make_portal: PortalFactory, postgres_url: str
) -> None:
    padding = {"id": "sub_123", "note": "x" * 4096}
    body = event_body(data_object=padding)
    async with make_portal(apply=False, PORTAL_WEBHOOK_MAX_BYTES="2048", **WEBHOOK_ENV) as portal:
        response = await portal.client.post(URL, content=body, headers=signed_headers(body))

    assert response.status_code == 413
    assert response.json()["type"] == "urn:billing-portal:problem:body-too-large"
    assert await inbox_rows(postgres_url, event_id_of(body)) == []


async def test_a_database_failure_is_a_503_so_stripe_retries(make_portal: PortalFactory) -> None:
    body = event_body()
    unreachable = "postgresql+asyncpg://postgres@127.0.0.1:9/nowhere"
    async with make_portal(database_url=unreachable, apply=False, **WEBHOOK_ENV) as portal:
        response = await portal.client.post(URL, content=body, headers=signed_headers(body))

    assert response.status_code == 503
    assert response.json()["type"] == "urn:billing-portal:problem:persistence-unavailable"


async def test_the_route_needs_no_bearer_token_and_ignores_one(hooks: Portal) -> None:
    body = event_body()
    headers = {**signed_headers(body), "Authorization": "Bearer not-a-jwt"}

    response = await hooks.client.post(URL, content=body, headers=headers)

    assert response.status_code == 200
    assert CURRENT_SECRET not in response.text


async def test_the_answer_carries_the_request_id_and_is_timed_under_the_route(
    hooks: Portal,
) -> None:
    body = event_body()
    headers = {**signed_headers(body), "X-Request-ID": "req-webhook-1"}
    count = "billing_portal_http_request_duration_seconds_count"
    before = value((await hooks.client.get("/metrics")).text, count, route=URL, status="2xx")

    response = await hooks.client.post(URL, content=body, headers=headers)
    refused = await hooks.client.post(URL, content=body, headers={"X-Request-ID": "req-2"})

    after = (await hooks.client.get("/metrics")).text
    assert (response.status_code, response.headers["x-request-id"]) == (200, "req-webhook-1")
    assert (refused.status_code, refused.headers["x-request-id"]) == (400, "req-2")
    assert refused.headers["content-type"] == "application/problem+json"
    assert value(after, count, route=URL, status="2xx") == before + 1
    assert value(after, count, route=URL, status="4xx") >= 1


async def test_each_delivery_writes_one_access_line_with_its_request_id(
    make_portal: PortalFactory,
) -> None:
    body = event_body()
    headers = {**signed_headers(body), "X-Request-ID": "req-line-1"}

    async with make_portal(apply=False, PORTAL_LOG_LEVEL="INFO", **WEBHOOK_ENV) as portal:
        merged = [structlog.contextvars.merge_contextvars]
        with structlog.testing.capture_logs(processors=merged) as lines:
            response = await portal.client.post(URL, content=body, headers=headers)
            refused = await portal.client.post(
                URL, content=b"{}", headers={"X-Request-ID": "bad id!"}
            )

    completed = [line for line in lines if line["event"] == "http.request.completed"]
    assert [(line["status"], line["path"], line["method"]) for line in completed] == [
        (200, URL, "POST"), (400, URL, "POST"),
    ]  # fmt: skip
    assert completed[0]["request_id"] == "req-line-1" == response.headers["x-request-id"]
    # an unsafe id is replaced by a new one, which the answer and the line share
    assert completed[1]["request_id"] == refused.headers["x-request-id"] != "bad id!"
    assert all(isinstance(line["duration_ms"], float) for line in completed)


async def test_a_client_gone_before_its_body_is_logged_and_timed_as_500() -> None:
    scope = {"type": "http", "method": "POST", "path": URL, "headers": []}
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    with structlog.testing.capture_logs() as lines:
        await webhook_route(2048)(scope, receive, send)  # type: ignore[arg-type]

    assert sent == []
    assert [line["status"] for line in lines if line["event"] == "http.request.completed"] == [500]


def chunked(body: bytes, size: int) -> Any:
    """An ASGI ``receive`` handing ``body`` over in chunks of ``size`` bytes."""
    parts = [body[start : start + size] for start in range(0, len(body), size)]

    async def receive() -> dict[str, Any]:
        chunk = parts.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(parts)}

    return receive


def webhook_route(max_bytes: int) -> WebhookRoute:
    async def not_litestar(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the webhook path is served by WebhookRoute")

    return WebhookRoute(not_litestar, None, State(), max_bytes=max_bytes)  # type: ignore[arg-type]


async def test_a_body_sent_without_a_length_is_refused_once_it_passes_the_cap() -> None:
    body = event_body(data_object={"id": "sub_123", "note": "x" * 4096})
    scope = {"type": "http", "method": "POST", "path": URL, "headers": []}
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await webhook_route(2048)(scope, chunked(body, 1000), send)  # type: ignore[arg-type]

    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["type"] == "urn:billing-portal:problem:body-too-large"
    assert scope["path_template"] == URL  # the metrics' route label


async def test_a_body_in_several_chunks_is_read_whole() -> None:
    body = event_body(data_object={"id": "sub_123", "note": "y" * 3000})

    read = await webhook_route(len(body))._body({}, chunked(body, 700))

    assert read == body


async def test_other_methods_and_a_trailing_slash_are_litestars(hooks: Portal) -> None:
    body = event_body()

    got = await hooks.client.get(URL)
    slashed = await hooks.client.post(URL + "/", content=body, headers=signed_headers(body))

    assert got.status_code == 405
    assert got.headers["content-type"] == "application/problem+json"
    assert slashed.status_code in (200, 404)  # whatever Litestar's router makes of it
    if slashed.status_code == 200:
        assert slashed.json() == {"received": True, "duplicate": False}
