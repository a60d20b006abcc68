"""The webhook signature matrix, end to end on PostgreSQL: each forged or odd delivery is a
400 problem that stores nothing; each genuine one is a 200 (a replay says duplicate).

Rows already covered by ``test_http_webhooks`` (tampered body, stale timestamp, wrong
secret, missing or garbled header, not JSON, live mode) are not repeated here.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from portal_harness import Portal, PortalFactory
from test_http_webhooks import inbox_rows, inbox_size
from webhook_signing import (
    CURRENT_SECRET,
    URL,
    WEBHOOK_ENV,
    event_body,
    event_id_of,
    signature,
)

INVALID = "urn:billing-portal:problem:invalid-webhook"
TOO_LARGE = "urn:billing-portal:problem:body-too-large"
DEFAULT_WEBHOOK_MAX_BYTES = 512 * 1024


@dataclass(frozen=True)
class Delivery:
    body: bytes
    header: str


def _future() -> Delivery:
    body = event_body()
    return Delivery(body, signature(body, timestamp=int(time.time()) + 301))


def _one_valid_among_several_v1() -> Delivery:
    body = event_body()
    valid = signature(body).split("v1=")[1]
    at = signature(body).split(",")[0]
    return Delivery(body, f"{at},v1={'0' * 64},v1={valid},v1=deadbeef")


def _several_v1_none_valid() -> Delivery:
    body = event_body()
    at = signature(body).split(",")[0]
    return Delivery(body, f"{at},v1={'0' * 64},v1={'f' * 64}")


def _v0_scheme_only() -> Delivery:
    body = event_body()
    return Delivery(body, signature(body).replace("v1=", "v0="))


def _two_timestamps() -> Delivery:
    body = event_body()
    stale = int(time.time()) - 3600
    return Delivery(body, f"t={stale},{signature(body)}")


def _signed(payload: object) -> Delivery:
    body = json.dumps(payload).encode()
    return Delivery(body, signature(body))


def _uppercase_hex() -> Delivery:
    body = event_body()
    at, digest = signature(body).split(",v1=")
    return Delivery(body, f"{at},v1={digest.upper()}")


def _empty_body() -> Delivery:
    return Delivery(b"", signature(b""))


def _genuine_200_kib() -> Delivery:
    """Over the 64 KiB cap of the JSON routes, under the webhook's own 512 KiB."""
    body = event_body(data_object={"id": "sub_123", "note": "x" * 200 * 1024})
    return Delivery(body, signature(body))


ACCEPTED = [
    pytest.param(_genuine_200_kib, id="a-200-KiB-event"),
    pytest.param(_one_valid_among_several_v1, id="several-v1-one-valid"),
]
REFUSED = [
    # Stripe sends lower-case hex, and its own SDK compares the strings exactly too.
    pytest.param(_uppercase_hex, "no v1 signature matches", id="v1-in-upper-case-hex"),
    pytest.param(_future, "away from now", id="timestamp-301s-in-the-future"),
    pytest.param(_several_v1_none_valid, "no v1 signature matches", id="several-v1-none-valid"),
    pytest.param(_v0_scheme_only, "", id="only-a-v0-signature"),
    pytest.param(_two_timestamps, "", id="two-timestamps"),
    pytest.param(_empty_body, "", id="signed-empty-body"),
    pytest.param(lambda: _signed([1, 2, 3]), "", id="signed-json-array"),
    pytest.param(lambda: _signed("evt_1"), "", id="signed-json-string"),
    pytest.param(lambda: _signed({"hello": "world"}), "", id="signed-object-not-an-event"),
    pytest.param(
        lambda: _signed({"id": "evt_x", "object": "customer", "type": "x", "data": {}}),
        "",
        id="signed-object-of-another-kind",
    ),
    pytest.param(
        lambda: _signed({"id": 42, "object": "event", "type": "invoice.paid", "data": {}}),
        "",
        id="signed-event-with-a-numeric-id",
    ),
]


@pytest.fixture
async def hooks(make_portal: PortalFactory) -> AsyncIterator[Portal]:
    async with make_portal(apply=False, **WEBHOOK_ENV) as portal:
        yield portal


async def post(portal: Portal, delivery: Delivery) -> tuple[int, dict[str, object]]:
    headers = {"Stripe-Signature": delivery.header, "Content-Type": "application/json"}
    response = await portal.client.post(URL, content=delivery.body, headers=headers)
    return response.status_code, response.json()


@pytest.mark.parametrize("forge", ACCEPTED)
async def test_a_genuine_delivery_in_an_odd_shape_is_stored(
    hooks: Portal, postgres_url: str, forge: object
) -> None:
    delivery: Delivery = forge()  # type: ignore[operator]

    status, answer = await post(hooks, delivery)

    assert (status, answer) == (200, {"received": True, "duplicate": False})
    assert len(await inbox_rows(postgres_url, event_id_of(delivery.body))) == 1


@pytest.mark.parametrize(("forge", "reason"), REFUSED)
async def test_a_forged_or_malformed_delivery_is_a_400_that_stores_nothing(
    hooks: Portal, postgres_url: str, forge: object, reason: str
) -> None:
    before = await inbox_size(postgres_url)
    delivery: Delivery = forge()  # type: ignore[operator]

    status, answer = await post(hooks, delivery)

    assert status == 400, answer
    assert answer["type"] == INVALID
    assert reason in str(answer["detail"])
    assert CURRENT_SECRET not in json.dumps(answer)
    assert await inbox_size(postgres_url) == before


async def test_a_replay_of_a_stored_event_freshly_signed_is_a_200_duplicate(
    hooks: Portal, postgres_url: str
) -> None:
    body = event_body("invoice.paid")
    first = await post(hooks, Delivery(body, signature(body)))

    replay = await post(hooks, Delivery(body, signature(body, timestamp=int(time.time()) + 5)))

    assert first == (200, {"received": True, "duplicate": False})
    assert replay == (200, {"received": True, "duplicate": True})
    assert len(await inbox_rows(postgres_url, event_id_of(body))) == 1


async def test_a_body_over_the_default_limit_is_a_413_that_stores_nothing(
    hooks: Portal, postgres_url: str
) -> None:
    padding = {"id": "sub_123", "note": "x" * DEFAULT_WEBHOOK_MAX_BYTES}
    body = event_body(data_object=padding)

    status, answer = await post(hooks, Delivery(body, signature(body)))

    assert status == 413
    assert answer["type"] == TOO_LARGE
    assert await inbox_rows(postgres_url, event_id_of(body)) == []
