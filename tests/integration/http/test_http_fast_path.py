"""The billing routes' fast path (entrypoints/http/fast_routes.py): what it reads itself
and what it hands to Litestar, with the body it has already read put back."""

from __future__ import annotations

import json
import uuid
from typing import Any

import structlog.testing
from billing_builders import a_subscription
from jwt_tokens import HS256
from metrics_scrape import value
from portal_harness import Portal, PortalFactory
from tests.fakes import FakeBillingProvider

URL = "/api/billing/portal-sessions"


def new_user() -> tuple[str, str]:
    token = uuid.uuid4().hex[:12]
    return f"user_{token}", f"cus_{token}"


async def _post_in_chunks(
    portal: Portal, headers: dict[str, str], *parts: bytes
) -> tuple[int, dict[str, str], Any]:
    """POST the body as separate ASGI messages (the test client sends one), no length."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": URL, "raw_path": URL.encode(), "root_path": "",
        "query_string": b"", "client": ("203.0.113.9", 4000), "server": ("portal.test", 80),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }  # fmt: skip
    messages = [
        {"type": "http.request", "body": part, "more_body": n < len(parts) - 1}
        for n, part in enumerate(parts)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await portal.client.app(scope, receive, send)
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    answer = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], answer, json.loads(body)


async def test_a_body_in_several_chunks_is_read_whole(
    portal: Portal, billing: FakeBillingProvider
) -> None:
    user, customer = new_user()
    await portal.link(user, customer)
    billing.subscriptions[customer] = [a_subscription(customer)]

    status, _, _ = await _post_in_chunks(portal, HS256.headers(user), b'{"locale"', b': "fr"}')

    assert status == 201
    assert billing.session_requests[-1].locale == "fr"


async def test_a_body_litestar_must_judge_is_replayed_to_it(
    portal: Portal, billing: FakeBillingProvider
) -> None:
    user, customer = new_user()
    await portal.link(user, customer)
    billing.subscriptions[customer] = [a_subscription(customer)]

    status, headers, body = await _post_in_chunks(
        portal, HS256.headers(user), b'{"locale": "fr",', b' "colour": 1}'
    )

    assert status == 422
    assert headers["content-type"] == "application/problem+json"
    assert "colour" in body["detail"]


async def test_a_chunked_body_over_the_cap_gets_litestars_413(portal: Portal) -> None:
    user, customer = new_user()
    await portal.link(user, customer)
    big = b'{"locale": "' + b"x" * (70 * 1024) + b'"}'

    status, _, body = await _post_in_chunks(portal, HS256.headers(user), big[:40000], big[40000:])

    assert status == 413
    assert body["type"] == "urn:billing-portal:problem:body-too-large"


async def test_the_summary_answers_with_the_request_id_and_a_refusal_as_problem_details(
    portal: Portal,
) -> None:
    user, _ = new_user()  # no customer linked

    response = await portal.client.get(
        "/api/billing/summary", headers={**HS256.headers(user), "X-Request-ID": "req-fast-1"}
    )

    assert response.status_code == 404
    assert response.headers["x-request-id"] == "req-fast-1"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:billing-portal:problem:no-billing-account"


SUMMARY = "/api/billing/summary"
COUNT = "billing_portal_http_request_duration_seconds_count"


async def test_each_fast_answer_and_each_passed_on_request_writes_one_access_line_and_is_timed(
    make_portal: PortalFactory, billing: FakeBillingProvider
) -> None:
    """The fast path does the request-id and metrics wrappers' work in line for what it
    serves; what it passes on goes through them: either way once."""
    user, customer = new_user()
    stranger, _ = new_user()  # no customer linked
    async with make_portal(PORTAL_LOG_LEVEL="INFO") as portal:
        await portal.link(user, customer)
        billing.subscriptions[customer] = [a_subscription(customer)]
        before = (await portal.client.get("/metrics")).text
        merged = [structlog.contextvars.merge_contextvars]
        with structlog.testing.capture_logs(processors=merged) as lines:
            summary = await portal.client.get(
                SUMMARY, headers={**HS256.headers(user), "X-Request-ID": "req-sum-1"}
            )
            refused = await portal.client.get(SUMMARY, headers=HS256.headers(stranger))
            session = await portal.client.post(
                URL, json={}, headers={**HS256.headers(user), "X-Request-ID": "req-portal-1"}
            )
            passed_on = await portal.client.get(SUMMARY, headers={"X-Request-ID": "req-anon-1"})
        after = (await portal.client.get("/metrics")).text

    assert (summary.status_code, summary.headers["x-request-id"]) == (200, "req-sum-1")
    assert refused.status_code == 404
    assert (session.status_code, session.headers["x-request-id"]) == (201, "req-portal-1")
    assert (passed_on.status_code, passed_on.headers["x-request-id"]) == (401, "req-anon-1")
    completed = [line for line in lines if line["event"] == "http.request.completed"]
    assert [
        (line["method"], line["path"], line["status"], line["request_id"]) for line in completed
    ] == [
        ("GET", SUMMARY, 200, "req-sum-1"),
        ("GET", SUMMARY, 404, refused.headers["x-request-id"]),
        ("POST", URL, 201, "req-portal-1"),
        ("GET", SUMMARY, 401, "req-anon-1"),
    ]
    assert all(isinstance(line["duration_ms"], float) for line in completed)
    # the 404 and Litestar's 401 (its router labels the route before its JWT middleware)
    for route, status, more in ((SUMMARY, "2xx", 1), (SUMMARY, "4xx", 2), (URL, "2xx", 1)):
        grew = value(after, COUNT, route=route, status=status) - value(
            before, COUNT, route=route, status=status
        )
        assert grew == more, (route, status)


async def test_a_client_gone_before_its_portal_body_is_logged_as_500(
    make_portal: PortalFactory,
) -> None:
    user, _ = new_user()
    scope = {
        "type": "http", "method": "POST", "path": URL, "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in HS256.headers(user).items()],
    }  # fmt: skip
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async with make_portal(PORTAL_LOG_LEVEL="INFO") as portal:
        with structlog.testing.capture_logs() as lines:
            await portal.client.app(scope, receive, send)

    assert sent == []
    assert [line["status"] for line in lines if line["event"] == "http.request.completed"] == [500]
