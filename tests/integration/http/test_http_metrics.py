"""GET /metrics: the counters move when portal sessions, webhooks and the worker do."""

from __future__ import annotations

import uuid

from billing_builders import a_subscription
from jwt_tokens import HS256
from metrics_scrape import has, value
from portal_harness import Portal, PortalFactory
from tests.fakes import FakeBillingProvider
from webhook_signing import URL as WEBHOOK_URL
from webhook_signing import WEBHOOK_ENV, event_body, signed_headers

from entrypoints.ioc import create_container
from entrypoints.worker import SyncWorker

PORTAL_URL = "/api/billing/portal-sessions"
UNHANDLED_TYPE = "metrics_test.unhandled"  # stored, then marked ignored by the worker


async def scrape(portal: Portal) -> str:
    response = await portal.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def run_worker(portal: Portal) -> None:
    container = create_container(portal.settings)
    try:
        await SyncWorker(container, portal.settings.worker).drain()
    finally:
        await container.close()


async def test_counters_move_with_portal_sessions_webhooks_and_the_worker(
    make_portal: PortalFactory, billing: FakeBillingProvider
) -> None:
    async with make_portal(**WEBHOOK_ENV) as portal:
        before = await scrape(portal)
        user, customer = f"user_{uuid.uuid4().hex[:10]}", f"cus_{uuid.uuid4().hex[:10]}"
        await portal.link(user, customer, segment="b2b")
        billing.subscriptions[customer] = [a_subscription(customer)]
        opened = await portal.client.post(PORTAL_URL, headers=HS256.headers(user))
        stranger = await portal.client.post(PORTAL_URL, headers=HS256.headers("user_nobody"))
        body = event_body(UNHANDLED_TYPE)
        stored = await portal.client.post(WEBHOOK_URL, content=body, headers=signed_headers(body))
        again = await portal.client.post(WEBHOOK_URL, content=body, headers=signed_headers(body))
        forged = await portal.client.post(
            WEBHOOK_URL, content=body, headers=signed_headers(body, secret="whsec_wrong")
        )
        queued = await scrape(portal)
        await run_worker(portal)
        after = await scrape(portal)

    assert [r.status_code for r in (opened, stranger, stored, again, forged)] == [
        201, 404, 200, 200, 400,
    ]  # fmt: skip

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    portal_access = "billing_portal_portal_access_total"
    assert moved(portal_access, outcome="portal", reason="segment", segment="b2b") == 1
    assert moved(portal_access, outcome="refused", reason="NoBillingAccount", segment="none") == 1
    webhooks = "billing_portal_webhooks_total"
    assert moved(webhooks, type=UNHANDLED_TYPE, result="stored") == 1
    assert moved(webhooks, type=UNHANDLED_TYPE, result="duplicate") == 1
    assert moved(webhooks, type="unknown", result="rejected_signature") == 1
    assert moved("billing_portal_events_total", outcome="ignored") >= 1
    assert moved("billing_portal_worker_batch_items_total", queue="inbox") >= 1
    lag = "billing_portal_event_processing_lag_seconds_count"
    assert moved(lag, outcome="ignored") >= 1
    route = "billing_portal_http_request_duration_seconds_count"
    assert moved(route, method="POST", route=PORTAL_URL, status="2xx") == 1
    assert moved(route, method="POST", route=PORTAL_URL, status="4xx") == 1
    assert moved(route, method="POST", route=WEBHOOK_URL, status="4xx") == 1
    # the backlog gauges are read from the database at scrape time
    assert value(queued, "billing_portal_database_up") == 1
    assert value(queued, "billing_portal_inbox_backlog") >= 1
    assert value(queued, "billing_portal_inbox_oldest_pending_age_seconds") >= 0
    assert value(queued, "billing_portal_last_webhook_age_seconds") < 60
    for gauge in ("billing_portal_outbox_backlog", "billing_portal_inbox_parked"):
        assert has(after, gauge)


async def test_a_path_no_route_matches_is_labelled_unmatched_not_by_its_path(
    portal: Portal,
) -> None:
    path = f"/no/such/{uuid.uuid4().hex}"
    await portal.client.get(path)

    text = await scrape(portal)

    assert path not in text
    count = "billing_portal_http_request_duration_seconds_count"
    assert value(text, count, route="unmatched", status="4xx") >= 1


async def test_an_unreachable_database_is_reported_not_an_error(
    make_portal: PortalFactory,
) -> None:
    dead = "postgresql+asyncpg://nobody@127.0.0.1:1/nothing"
    async with make_portal(database_url=dead, apply=False) as portal:
        text = await scrape(portal)

    assert value(text, "billing_portal_database_up") == 0
    assert not has(text, "billing_portal_inbox_backlog")
