"""Open redirects through ``return_path``, CSRF on the cookie session, body limits on every
route that reads a body, and each API's credential on the other API: the real app on
PostgreSQL, Stripe faked."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from billing_builders import a_subscription
from jwt_tokens import HS256
from litestar import Litestar
from litestar.testing import AsyncTestClient
from portal_harness import APP_BASE_URL, Portal, PortalFactory
from tests.fakes import FakeBillingProvider

from entrypoints.http.app import JSON_BODY_MAX_BYTES, create_app

PORTAL = "/api/billing/portal-sessions"
PROBLEM = "urn:billing-portal:problem:"


async def linked_user(portal: Portal, billing: FakeBillingProvider) -> tuple[str, str]:
    token = uuid.uuid4().hex[:10]
    user, customer = f"user_{token}", f"cus_{token}"
    await portal.link(user, customer)
    billing.subscriptions[customer] = [a_subscription(customer)]
    return user, customer


@pytest.mark.parametrize(
    "return_path",
    [
        "//evil.example/billing",
        "https://evil.example/billing",
        "http:/evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/billing@evil.example",
        "/%2F%2Fevil.example",
        "/billing/../../evil",
        "/billing/%2e%2e/evil",
        "javascript:alert(1)",
        "data:text/html,hi",
        "/billing\r\nLocation: https://evil.example",
        "/billing\t//evil.example",
        "/billing#@evil.example",
        "/billing?next=https://evil.example",
        "/b\u0456lling",  # a Cyrillic i
        " /billing",
        "/settings/billing/../../../evil",
        "/" + "a" * 600,
    ],
)
async def test_a_return_path_that_could_leave_the_app_is_a_422_and_opens_nothing(
    portal: Portal, billing: FakeBillingProvider, return_path: str
) -> None:
    user, _ = await linked_user(portal, billing)

    response = await portal.client.post(
        PORTAL, json={"return_path": return_path}, headers=HS256.headers(user)
    )

    assert response.status_code == 422, response.text
    assert response.json()["field"] == "return_path"
    assert billing.session_requests == []


async def test_an_allowed_return_path_comes_back_on_the_apps_own_origin(
    portal: Portal, billing: FakeBillingProvider
) -> None:
    user, _ = await linked_user(portal, billing)

    response = await portal.client.post(
        PORTAL, json={"return_path": "/settings/billing"}, headers=HS256.headers(user)
    )

    assert response.status_code == 201, response.text
    assert billing.session_requests[-1].return_url.startswith(f"{APP_BASE_URL}/settings/billing?")


@asynccontextmanager
async def browser(portal: Portal) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """The billing page's browser: HTTPS on the app's origin, so the Secure cookie is sent."""
    app = create_app(portal.settings, portal.fake_stripe())
    async with AsyncTestClient(app, base_url=APP_BASE_URL) as client:
        yield client


async def signed_in(client: AsyncTestClient[Litestar], user: str) -> str:
    opened = await client.post("/api/session", json={"token": HS256.token(user)})
    assert opened.status_code == 200, opened.text
    csrf: str = opened.json()["csrf_token"]
    return csrf


def _other_session_token(_: str) -> dict[str, Any]:
    return {"headers": {"X-CSRF-Token": "A" * 43}}


CSRF_ATTEMPTS = [
    pytest.param(lambda _: {}, id="no-token"),
    pytest.param(lambda _: {"headers": {"X-CSRF-Token": ""}}, id="empty-header"),
    pytest.param(lambda csrf: {"params": {"csrf_token": csrf}}, id="token-in-the-query"),
    pytest.param(lambda csrf: {"headers": {"X-CSRF-Token": csrf.lower()}}, id="token-lower-cased"),
    pytest.param(lambda csrf: {"headers": {"X-CSRF-Token": csrf[:-1]}}, id="token-cut-short"),
    pytest.param(_other_session_token, id="a-made-up-token"),
    pytest.param(
        lambda _: {"headers": {"Content-Type": "text/plain"}, "content": b"{}"},
        id="a-cross-site-form-post",
    ),
]


@pytest.mark.parametrize("attempt", CSRF_ATTEMPTS)
async def test_a_cookie_write_without_the_sessions_csrf_token_is_a_403(
    portal: Portal, billing: FakeBillingProvider, attempt: Any
) -> None:
    user, _ = await linked_user(portal, billing)
    async with browser(portal) as client:
        csrf = await signed_in(client, user)

        forged = await client.request("POST", PORTAL, **attempt(csrf))
        sign_out = await client.request("DELETE", "/api/session", **attempt(csrf))
        still = await client.get("/api/session")
        genuine = await client.post(PORTAL, json={}, headers={"X-CSRF-Token": csrf})

    for response in (forged, sign_out):
        assert response.status_code == 403, response.text
        assert response.json()["type"] == PROBLEM + "csrf-rejected"
    assert still.json()["user_id"] == user
    assert genuine.status_code == 201, genuine.text
    assert len(billing.session_requests) == 1


OVERSIZED = b'{"pad": "' + b"x" * JSON_BODY_MAX_BYTES + b'"}'


@pytest.mark.parametrize(
    ("method", "path", "credential"),
    [
        ("POST", PORTAL, "user"),
        ("POST", "/api/session", None),
        ("POST", "/api/demo/sign-in", None),
        ("POST", "/api/server/links", "server"),
        ("PUT", "/api/server/users/someone/link", "server"),
        ("PUT", "/api/server/users/someone/segment", "server"),
    ],
)
async def test_a_body_over_the_limit_is_a_413_on_every_route_that_reads_one(
    make_portal: PortalFactory, method: str, path: str, credential: str | None
) -> None:
    async with make_portal(STRIPE_SECRET_KEY="") as portal:  # sandbox: demo sign-in mounted
        _, key = await portal.create_api_key()
        headers = {
            "user": HS256.headers("user_big"),
            "server": {"Authorization": f"Bearer {key}"},
            None: {"Origin": "http://portal.test"},
        }[credential]
        headers = {**headers, "Content-Type": "application/json"}

        response = await portal.client.request(method, path, content=OVERSIZED, headers=headers)
        just_under = await portal.client.request(
            method, path, content=b"{" + b" " * (JSON_BODY_MAX_BYTES - 2) + b"}", headers=headers
        )

    assert response.status_code == 413, response.text
    assert response.json()["type"] == PROBLEM + "body-too-large"
    assert just_under.status_code != 413


SERVER_ROUTES = [
    ("POST", "/api/server/links", {"user_id": "u1", "customer_id": "cus_x1", "segment": "b2c"}),
    ("PUT", "/api/server/users/u1/link", {"customer_id": "cus_x2"}),
    ("PUT", "/api/server/users/u1/segment", {"segment": "b2b"}),
    ("DELETE", "/api/server/users/u1/link", None),
    ("GET", "/api/server/users/u1/billing", None),
]


async def test_each_api_refuses_the_other_apis_credential_on_every_route(
    portal: Portal, billing: FakeBillingProvider
) -> None:
    user, _ = await linked_user(portal, billing)
    _, key = await portal.create_api_key()
    key_header = {"Authorization": f"Bearer {key}"}
    attempts = [
        (method, path, body, headers)
        for method, path, body in SERVER_ROUTES
        for headers in (HS256.headers(user), {"Cookie": f"api_key={key}"}, {"X-Api-Key": key})
    ] + [
        (method, path, None, key_header)
        for method, path in (
            ("GET", "/api/billing/summary"),
            ("GET", "/api/billing/invoices"),
            ("POST", PORTAL),
        )
    ]

    responses = [
        await portal.client.request(method, path, json=body, headers=headers)
        for method, path, body, headers in attempts
    ]

    for response in responses:
        assert response.status_code == 401, (response.request.url, response.text)
        assert response.json()["type"] == PROBLEM + "not-authenticated"
        assert key not in response.text
    assert billing.session_requests == []
    unchanged = await portal.client.get("/api/server/users/u1/billing", headers=key_header)
    assert unchanged.json()["linked"] is False
