"""GET /readyz: the database, its migration revision against the code's, and the backlog."""

from __future__ import annotations

import pytest
from portal_harness import PortalFactory
from sqlalchemy import text
from webhook_signing import URL as WEBHOOK_URL
from webhook_signing import WEBHOOK_ENV, event_body, signed_headers

from adapters.persistence import create_engine, head_revision, upgrade_database_async

PREVIOUS_REVISION = "0002"  # any revision older than the head


async def migrate(url: str, revision: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade_database_async(engine, revision)
    finally:
        await engine.dispose()


async def test_ready_reports_the_revision_and_the_backlog(make_portal: PortalFactory) -> None:
    async with make_portal(apply=False, **WEBHOOK_ENV) as portal:
        body = event_body("readiness_test.unhandled")
        await portal.client.post(WEBHOOK_URL, content=body, headers=signed_headers(body))
        response = await portal.client.get("/readyz")

    assert response.status_code == 200
    report = response.json()
    assert (report["status"], report["database"]) == ("ready", "ok")
    assert report["schema"] == {
        "current": head_revision(),
        "expected": head_revision(),
        "state": "current",
    }
    assert report["inbox"]["pending"] >= 1
    assert report["inbox"]["oldest_pending_age_seconds"] >= 0
    assert set(report["outbox"]) == {"pending", "oldest_pending_age_seconds", "parked"}
    assert 0 <= report["last_webhook_age_seconds"] < 60


@pytest.mark.postgres
async def test_a_schema_behind_the_code_is_not_ready(
    make_portal: PortalFactory, empty_postgres_url: str
) -> None:
    assert head_revision() != PREVIOUS_REVISION
    await migrate(empty_postgres_url, PREVIOUS_REVISION)
    async with make_portal(database_url=empty_postgres_url, apply=False) as portal:
        response = await portal.client.get("/readyz")
        alive = await portal.client.get("/healthz")

    assert alive.status_code == 200
    assert response.status_code == 503
    problem = response.json()
    assert problem["type"] == "urn:billing-portal:problem:schema-not-current"
    assert PREVIOUS_REVISION in problem["detail"]
    assert "billing-portal db upgrade" in problem["detail"]


@pytest.mark.postgres
async def test_a_database_never_migrated_is_not_ready(
    make_portal: PortalFactory, empty_postgres_url: str
) -> None:
    async with make_portal(database_url=empty_postgres_url, apply=False) as portal:
        response = await portal.client.get("/readyz")

    assert response.status_code == 503
    assert "never migrated" in response.json()["detail"]


@pytest.mark.postgres
async def test_a_schema_migrated_by_a_newer_release_stays_ready(
    make_portal: PortalFactory, empty_postgres_url: str
) -> None:
    await migrate(empty_postgres_url, "head")
    engine = create_engine(empty_postgres_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        await engine.dispose()
    async with make_portal(database_url=empty_postgres_url, apply=False) as portal:
        response = await portal.client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["schema"]["state"] == "ahead"


async def test_an_unreachable_database_says_so_without_the_driver_message(
    make_portal: PortalFactory,
) -> None:
    async with make_portal(database_url="postgresql+asyncpg://x@127.0.0.1:1/x", apply=False) as p:
        response = await p.client.get("/readyz")

    assert response.status_code == 503
    problem = response.json()
    assert problem["detail"] == "the database is unavailable; try again later"
    assert "127.0.0.1" not in response.text
