"""Unauthenticated or malformed input is a 4xx problem, never a 500 (issue 10's review).

Every route that reads a JSON body gets a body nested 30,000 deep and one that is not
UTF-8; the webhook gets signature headers and signed bodies no real Stripe would send; the
invoice list gets cursors that decode to times no calendar holds.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from billing_builders import a_subscription
from jwt_tokens import HS256
from portal_harness import Portal, PortalFactory
from tests.fakes import FakeBillingProvider
from webhook_signing import CURRENT_SECRET, URL, WEBHOOK_ENV, event_body, signed_headers

PROBLEM = "application/problem+json"
# Deep enough for any JSON parser's recursion, small enough for the 64 KiB body cap.
DEEP = b"[" * 30_000 + b"]" * 30_000
DEEP_OBJECT = b'{"a":' * 10_000 + b"1" + b"}" * 10_000
NOT_UTF8 = b'{"token": "\xff\xfe\xfa"}'
HUGE_NUMBER = b'{"id": "evt_1", "n": ' + b"9" * 10_000 + b"}"
HOSTILE_BODIES = [
    pytest.param(DEEP, id="array-30k-deep"),
    pytest.param(DEEP_OBJECT, id="object-10k-deep"),
    pytest.param(NOT_UTF8, id="not-utf8"),
    pytest.param(b"\xff\xfe\x00{", id="binary"),
    pytest.param(HUGE_NUMBER, id="10k-digit-number"),
]
SAME_ORIGIN = {"Content-Type": "application/json", "Origin": "https://app.example.test"}


def assert_problem(response: Any, *statuses: int) -> dict[str, Any]:
    assert response.status_code in statuses, (response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith(PROBLEM)
    problem: dict[str, Any] = response.json()
    assert problem["status"] == response.status_code
    return problem


@pytest.fixture
async def sandbox_portal(make_portal: PortalFactory) -> AsyncIterator[Portal]:
    """Sandbox mode (no Stripe key), so the demo sign-in route is mounted too."""
    async with make_portal(apply=False, STRIPE_SECRET_KEY="", **WEBHOOK_ENV) as portal:
        yield portal


@pytest.mark.parametrize("body", HOSTILE_BODIES)
@pytest.mark.parametrize("route", ["/api/session", "/api/demo/sign-in"])
async def test_hostile_json_on_the_page_sign_in_routes_is_a_4xx(
    sandbox_portal: Portal, route: str, body: bytes
) -> None:
    response = await sandbox_portal.client.post(route, content=body, headers=SAME_ORIGIN)

    assert_problem(response, 400, 422)
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize("body", HOSTILE_BODIES)
async def test_hostile_json_on_portal_sessions_is_a_4xx(
    portal: Portal, billing: FakeBillingProvider, body: bytes
) -> None:
    user, customer = f"user_{uuid.uuid4().hex[:8]}", f"cus_{uuid.uuid4().hex[:8]}"
    await portal.link(user, customer)
    billing.subscriptions[customer] = [a_subscription(customer)]
    headers = {**HS256.headers(user), "Content-Type": "application/json"}

    response = await portal.client.post(
        "/api/billing/portal-sessions", content=body, headers=headers
    )

    assert_problem(response, 400, 422)
    assert billing.session_requests == []


def signed(body: bytes, timestamp: str) -> dict[str, str]:
    """Signed for ``timestamp`` exactly as written."""
    digest = hmac.new(CURRENT_SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return {"Stripe-Signature": f"t={timestamp},v1={digest.hexdigest()}"}


async def post_raw_header(portal: Portal, body: bytes, signature: str) -> tuple[int, bytes]:
    """POST the webhook with ``Stripe-Signature`` as raw Latin-1 bytes, as a real server
    receives them (the test client would re-encode a non-ASCII value as UTF-8)."""
    scope: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": URL, "raw_path": URL.encode(), "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 50000), "server": ("portal.test", 80),
        "headers": [
            (b"host", b"portal.test"), (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"stripe-signature", signature.encode("latin-1")),
        ],
    }  # fmt: skip
    sent: list[dict[str, Any]] = []
    requests = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return requests.pop(0) if requests else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await portal.client.app(scope, receive, send)  # type: ignore[arg-type]
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


@pytest.mark.parametrize(
    "timestamp",
    [
        pytest.param("\u00b2\u00b3\u00b9", id="superscript-digits"),
        pytest.param("9" * 400, id="400-digits"),
        pytest.param("9" * 5000, id="5000-digits"),
        pytest.param("9" * 20, id="past-year-9999"),
    ],
)
async def test_a_malformed_signature_timestamp_is_a_400(
    sandbox_portal: Portal, timestamp: str
) -> None:
    body = event_body()

    status, answer = await post_raw_header(
        sandbox_portal, body, signed(body, timestamp)["Stripe-Signature"]
    )

    assert status == 400, answer
    assert json.loads(answer)["type"] == "urn:billing-portal:problem:invalid-webhook"


async def test_a_non_ascii_v1_signature_is_a_400(sandbox_portal: Portal) -> None:
    body = event_body()
    header = signed_headers(body)["Stripe-Signature"].split(",")[0] + ",v1=\u00e9\u00e9"

    status, answer = await post_raw_header(sandbox_portal, body, header)

    assert status == 400, answer


@pytest.mark.parametrize("body", HOSTILE_BODIES)
async def test_a_correctly_signed_hostile_body_is_a_400(
    sandbox_portal: Portal, body: bytes
) -> None:
    headers = {**signed(body, str(int(time.time()))), "Content-Type": "application/json"}

    response = await sandbox_portal.client.post(URL, content=body, headers=headers)

    problem = assert_problem(response, 400)
    assert problem["type"] == "urn:billing-portal:problem:invalid-webhook"


def cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("253402300800:in_1", id="year-10000"),
        pytest.param("-62135596801:in_1", id="before-year-1"),
        pytest.param(f"{10**20}:in_1", id="10^20"),
        pytest.param("9" * 5000 + ":in_1", id="5000-digits"),
        pytest.param("\u0661\u0662:in_1", id="arabic-indic-digits"),
        pytest.param("1700000000:in_\x00", id="nul-in-the-id"),
    ],
)
async def test_an_invoice_cursor_we_did_not_issue_is_a_422_naming_the_cursor(
    portal: Portal, raw: str
) -> None:
    user, customer = f"user_{uuid.uuid4().hex[:8]}", f"cus_{uuid.uuid4().hex[:8]}"
    await portal.link(user, customer)

    response = await portal.client.get(
        "/api/billing/invoices", params={"cursor": cursor(raw)}, headers=HS256.headers(user)
    )

    problem = assert_problem(response, 422)
    assert problem["field"] == "cursor"
    assert "cursor is not one this API returned" in problem["detail"]
