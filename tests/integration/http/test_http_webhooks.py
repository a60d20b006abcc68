"""POST /api/webhooks/stripe: verified, stored once, answered only once committed."""

from __future__ import annotations

import time
from typing import Any

import pytest
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
