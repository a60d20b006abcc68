"""Every refusal is an RFC 9457 problem a developer can act on; never an unexplained 500."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from billing_builders import a_subscription
from jwt_tokens import HS256
from portal_harness import RATE_LIMIT, Portal, PortalFactory
from tests.fakes import FakeBillingProvider

from adapters.persistence import upgrade_database_async
from adapters.persistence.engine import create_engine
from application.errors import ProviderUnavailable

URL = "/api/billing/portal-sessions"


def new_user() -> tuple[str, str]:
    token = uuid.uuid4().hex[:12]
    return f"user_{token}", f"cus_{token}"


def problem_of(response: Any, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["type"] == f"urn:billing-portal:problem:{kind}"
    assert problem["status"] == status
    return problem


async def subscribed_user(portal: Portal, billing: FakeBillingProvider) -> tuple[str, str]:
    user, customer = new_user()
    await portal.link(user, customer)
    billing.subscriptions[customer] = [a_subscription(customer)]
    return user, customer


async def test_a_user_without_a_billing_account_gets_404(portal: Portal) -> None:
    response = await portal.client.post(URL, headers=HS256.headers("user_never_linked"))

    problem = problem_of(response, 404, "no-billing-account")
    assert "user_never_linked" in problem["detail"]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (b"{not json", None, "not valid JSON"),
        (b'{"colour": "blue"}', "body", "unknown field `colour`"),
        (b'{"locale": 5}', "locale", "Expected `str | null`"),
        (b'{"flow": {"type": "teleport"}}', "flow.type", "payment_method_update"),
        (b'{"flow": {"type": "subscription_update", "quantity": "two"}}', "flow.quantity", "int"),
        (
            b'{"flow": {"type": "subscription_update_confirm", "price_id": "pro_monthly", '
            b'"quantity": 1000000000000000000000000000000}}',
            "flow.quantity",
            "<= 10000",
        ),
        (
            b'{"flow": {"type": "subscription_update_confirm", "price_id": "pro_monthly", '
            b'"quantity": 0}}',
            "flow.quantity",
            ">= 1",
        ),
        (  # b2c's default_allowed_updates is ["price"]: the seat count is not the user's to set
            b'{"flow": {"type": "subscription_update_confirm", "price_id": "pro_monthly", '
            b'"quantity": 3}}',
            "flow.quantity",
            "'b2c' portal configuration does not allow quantity changes",
        ),
        (b'{"return_path": "https://evil.example/steal"}', "return_path", "not a URL"),
        (b'{"return_path": "//evil.example"}', "return_path", "single '/'"),
        (b'{"return_path": "/admin"}', "return_path", "choose one of"),
        (b'{"locale": "xx-YY"}', "locale", "locale 'xx-YY'"),
        (
            b'{"flow": {"type": "subscription_cancel", "subscription_id": "sub_not_theirs"}}',
            "flow.subscription_id",
            "does not belong",
        ),
    ],
)
async def test_an_invalid_request_is_a_422_naming_the_field(
    portal: Portal, billing: FakeBillingProvider, body: bytes, field: str | None, words: str
) -> None:
    user, _ = await subscribed_user(portal, billing)
    headers = {**HS256.headers(user), "Content-Type": "application/json"}

    response = await portal.client.post(URL, headers=headers, content=body)

    problem = problem_of(response, 422, "invalid-request")
    assert words in problem["detail"]
    if field is not None:
        fields = [problem.get("field")] + [e["field"] for e in problem.get("errors", [])]
        assert field in fields
    assert billing.session_requests == []


async def test_a_flow_the_configuration_does_not_allow_is_a_422(
    portal: Portal, billing: FakeBillingProvider
) -> None:
    user, customer = new_user()
    await portal.link(user, customer)
    billing.subscriptions[customer] = [a_subscription(customer), a_subscription(customer)]
    body = {"flow": {"type": "subscription_cancel"}}

    response = await portal.client.post(URL, headers=HS256.headers(user), json=body)

    problem = problem_of(response, 422, "invalid-request")
    assert "'payment_methods_only' portal configuration does not allow" in problem["detail"]


async def test_past_the_rate_limit_a_user_gets_429_with_retry_after(
    portal: Portal, billing: FakeBillingProvider
) -> None:
    user, _ = await subscribed_user(portal, billing)
    for _ in range(RATE_LIMIT):
        assert (await portal.client.post(URL, headers=HS256.headers(user))).status_code == 201

    response = await portal.client.post(URL, headers=HS256.headers(user))

    problem_of(response, 429, "rate-limited")
    assert 1 <= int(response.headers["retry-after"]) <= 60
    other, _ = await subscribed_user(portal, billing)
    assert (await portal.client.post(URL, headers=HS256.headers(other))).status_code == 201


async def test_a_configuration_never_applied_is_a_503_naming_it_and_the_command(
    make_portal: PortalFactory, billing: FakeBillingProvider, empty_postgres_url: str
) -> None:
    engine = create_engine(empty_postgres_url)
    await upgrade_database_async(engine)
    await engine.dispose()
    async with make_portal(database_url=empty_postgres_url, apply=False) as portal:
        user, _ = await subscribed_user(portal, billing)
        response = await portal.client.post(URL, headers=HS256.headers(user))

    problem = problem_of(response, 503, "configuration-not-applied")
    assert "'b2c'" in problem["detail"]
    assert "billing-portal configs apply" in problem["detail"]
    assert problem["configuration"] == "b2c"


async def test_an_unreachable_provider_is_a_503(
    portal: Portal, billing: FakeBillingProvider
) -> None:
    user, _ = await subscribed_user(portal, billing)
    billing.failure = ProviderUnavailable("could not reach Stripe: connection refused")

    response = await portal.client.post(URL, headers=HS256.headers(user))

    problem = problem_of(response, 503, "provider-unavailable")
    assert "could not reach Stripe" in problem["detail"]


async def test_an_unexpected_failure_is_a_500_that_leaks_nothing(
    portal: Portal, billing: FakeBillingProvider
) -> None:
    user, _ = await subscribed_user(portal, billing)
    billing.failure = RuntimeError("password=hunter2 at internal.py line 12")

    response = await portal.client.post(URL, headers={**HS256.headers(user), "X-Request-ID": "r1"})

    problem = problem_of(response, 500, "internal-error")
    assert "hunter2" not in response.text
    assert "internal.py" not in response.text
    assert problem["request_id"] == "r1"


async def test_an_unknown_route_is_a_problem_too(portal: Portal) -> None:
    response = await portal.client.get("/api/billing/nothing-here")

    problem_of(response, 404, "http-404")
