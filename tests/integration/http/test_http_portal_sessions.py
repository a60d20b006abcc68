"""POST /api/billing/portal-sessions: the portal opens, or the user is sent elsewhere."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from billing_builders import a_subscription
from jwt_tokens import HS256
from portal_harness import APP_BASE_URL, RATE_LIMIT, Portal, PortalFactory
from sqlalchemy import select
from tests.fakes import FakeBillingProvider

from adapters.persistence import create_engine
from adapters.persistence.tables import portal_access_audit
from domain.portal_flow import FlowType

URL = "/api/billing/portal-sessions"


def new_user() -> tuple[str, str]:
    token = uuid.uuid4().hex[:12]
    return f"user_{token}", f"cus_{token}"


async def audit_rows(database_url: str, user_id: str) -> list[Any]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            query = select(portal_access_audit).where(portal_access_audit.c.user_id == user_id)
            return list((await connection.execute(query)).mappings())
    finally:
        await engine.dispose()


async def test_the_portal_opens_with_the_segment_configuration_and_is_audited(
    portal: Portal, billing: FakeBillingProvider, postgres_url: str
) -> None:
    user, customer = new_user()
    await portal.link(user, customer, segment="b2b")
    billing.subscriptions[customer] = [a_subscription(customer)]
    headers = {**HS256.headers(user), "X-Request-ID": "req-42.abc", "User-Agent": "web-app/1.0"}

    response = await portal.client.post(URL, headers=headers)

    assert response.status_code == 201
    body = response.json()
    assert body["url"].startswith("https://billing.stripe.test/p/session_")
    assert (body["configuration"], body["reason"]) == ("b2b", "segment")
    assert response.headers["x-request-id"] == "req-42.abc"
    session = billing.session_requests[-1]
    assert session.customer_id == customer
    assert session.return_url == f"{APP_BASE_URL}/billing?action=portal_return"
    [row] = await audit_rows(postgres_url, user)
    assert (row["outcome"], row["decision"], row["configuration"]) == ("portal", "segment", "b2b")
    assert (row["request_id"], row["user_agent"], row["channel"]) == (
        "req-42.abc",
        "web-app/1.0",
        "api",
    )
    assert row["client_address"]


async def test_an_unsafe_request_id_is_replaced_by_a_generated_one(
    portal: Portal,
) -> None:
    response = await portal.client.get("/healthz", headers={"X-Request-ID": "bad id <script>"})

    assert response.headers["x-request-id"] != "bad id <script>"
    assert len(response.headers["x-request-id"]) == 32


async def test_the_caller_chooses_return_path_deep_link_and_locale(
    portal: Portal, billing: FakeBillingProvider
) -> None:
    user, customer = new_user()
    await portal.link(user, customer)
    subscription = a_subscription(customer)
    billing.subscriptions[customer] = [subscription]
    body = {
        "return_path": "/settings/billing?tab=plan",
        "flow": {"type": "subscription_cancel", "subscription_id": subscription.id},
        "locale": "fr-CA",
    }

    response = await portal.client.post(URL, json=body, headers=HS256.headers(user))

    assert response.status_code == 201, response.text
    session = billing.session_requests[-1]
    assert session.return_url == f"{APP_BASE_URL}/settings/billing?tab=plan&action=portal_return"
    assert session.flow is not None
    assert (session.flow.type, session.flow.subscription_id) == (
        FlowType.SUBSCRIPTION_CANCEL,
        subscription.id,
    )
    assert session.locale == "fr-CA"


async def test_an_overdue_payment_deep_links_to_the_payment_method_update(
    portal: Portal, billing: FakeBillingProvider
) -> None:
    user, customer = new_user()
    await portal.link(user, customer)
    billing.subscriptions[customer] = [a_subscription(customer, status="past_due")]

    response = await portal.client.post(URL, headers=HS256.headers(user))

    assert response.status_code == 201
    assert response.json()["reason"] == "payment_overdue"
    assert billing.session_requests[-1].flow is not None
    assert billing.session_requests[-1].flow.type is FlowType.PAYMENT_METHOD_UPDATE


async def test_several_live_subscriptions_get_payment_methods_only(
    portal: Portal, billing: FakeBillingProvider
) -> None:
    user, customer = new_user()
    await portal.link(user, customer)
    billing.subscriptions[customer] = [a_subscription(customer), a_subscription(customer)]

    response = await portal.client.post(URL, headers=HS256.headers(user))

    assert response.status_code == 201
    assert response.json()["configuration"] == "payment_methods_only"
    assert "multiple_subscriptions=true" in billing.session_requests[-1].return_url


async def test_a_young_yearly_subscription_gets_the_restricted_variant(
    portal: Portal, billing: FakeBillingProvider
) -> None:
    user, customer = new_user()
    await portal.link(user, customer, segment="b2b")
    billing.subscriptions[customer] = [
        a_subscription(customer, yearly=True, started_months_ago=2, price_id="price_basic_yearly")
    ]

    response = await portal.client.post(URL, headers=HS256.headers(user))

    assert response.status_code == 201
    assert response.json()["configuration"] == "b2b_restricted"
    assert response.json()["reason"] == "tenure_restricted"


@pytest.mark.parametrize(
    ("subscriptions", "reason", "redirect_to"),
    [
        ([], "never_subscribed", f"{APP_BASE_URL}/pricing"),
        (
            [{"status": "incomplete", "latest_invoice_url": "https://invoice.example.test/i/1"}],
            "incomplete_payment",
            "https://invoice.example.test/i/1",
        ),
        (
            [{"status": "incomplete"}],
            "incomplete_payment",
            f"{APP_BASE_URL}/billing/complete-payment?subscription=",
        ),
        (
            [{"status": "canceled", "ended": True}],
            "subscriptions_ended",
            f"{APP_BASE_URL}/reactivate",
        ),
    ],
)
async def test_users_who_cannot_use_the_portal_now_are_redirected(
    portal: Portal,
    billing: FakeBillingProvider,
    postgres_url: str,
    subscriptions: list[dict[str, Any]],
    reason: str,
    redirect_to: str,
) -> None:
    user, customer = new_user()
    await portal.link(user, customer)
    billing.subscriptions[customer] = [a_subscription(customer, **s) for s in subscriptions]

    response = await portal.client.post(URL, headers=HS256.headers(user))

    assert response.status_code == 200
    body = response.json()
    assert (body["action"], body["reason"]) == ("redirect", reason)
    assert body["redirect_to"].startswith(redirect_to)
    assert billing.session_requests == []
    [row] = await audit_rows(postgres_url, user)
    assert (row["outcome"], row["decision"]) == ("redirect", reason)


async def test_the_schema_documents_the_api(portal: Portal) -> None:
    response = await portal.client.get("/schema/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    operation = schema["paths"]["/api/billing/portal-sessions"]["post"]
    assert {"200", "201", "401", "404", "422", "429", "503"} <= set(operation["responses"])
    assert "bearer" in schema["components"]["securitySchemes"]


async def test_health_and_readiness(make_portal: PortalFactory) -> None:
    async with make_portal(apply=False) as portal:
        assert (await portal.client.get("/healthz")).json() == {"status": "ok"}
        assert (await portal.client.get("/readyz")).json()["status"] == "ready"


async def test_readiness_fails_with_a_problem_when_the_database_is_down(
    make_portal: PortalFactory,
) -> None:
    unreachable = "postgresql+asyncpg://portal@127.0.0.1:1/portal"
    async with make_portal(database_url=unreachable, apply=False) as portal:
        assert (await portal.client.get("/healthz")).status_code == 200
        response = await portal.client.get("/readyz")

    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("persistence-unavailable")


async def test_refusals_on_the_fast_path_are_audited_with_what_was_known(
    portal: Portal, billing: FakeBillingProvider, postgres_url: str
) -> None:
    unlinked, _ = new_user()
    assert (await portal.client.post(URL, headers=HS256.headers(unlinked))).status_code == 404
    [row] = await audit_rows(postgres_url, unlinked)
    assert (row["outcome"], row["decision"]) == ("refused", "NoBillingAccount")
    assert (row["segment"], row["stripe_customer_id"]) == (None, None)

    user, customer = new_user()
    await portal.link(user, customer, segment="b2b")
    billing.subscriptions[customer] = [a_subscription(customer)]
    statuses = [
        (await portal.client.post(URL, headers=HS256.headers(user))).status_code
        for _ in range(RATE_LIMIT + 1)
    ]
    assert statuses == [201] * RATE_LIMIT + [429]
    rows = await audit_rows(postgres_url, user)
    assert sorted(r["outcome"] for r in rows) == ["portal"] * RATE_LIMIT + ["refused"]
    [refused] = [r for r in rows if r["outcome"] == "refused"]
    assert refused["decision"] == "RateLimited"
    assert (refused["segment"], refused["stripe_customer_id"]) == (None, None)  # not read yet
