"""Billing-page sessions in the real app on PostgreSQL: two API processes (two apps on one
database) share them, signing out ends them everywhere, and none outlives the host app's
token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import jwt
from jwt_tokens import HS256
from litestar import Litestar
from litestar.testing import AsyncTestClient
from portal_harness import portal_settings
from tests.fakes import FakeBillingProvider, FakeStripeFamily

from entrypoints.http.app import create_app
from entrypoints.http.web import SESSION_COOKIE

SECRET = "one-session-secret-shared-by-every-api-process!"


@asynccontextmanager
async def api_process(postgres_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    settings = portal_settings(postgres_url, PORTAL_SESSION_SECRET=SECRET)
    app = create_app(settings, FakeStripeFamily(FakeBillingProvider()))
    async with AsyncTestClient(app, base_url="https://app.example.test") as client:
        yield client


async def test_a_cookie_replayed_after_sign_out_is_refused_by_every_process(
    postgres_url: str,
) -> None:
    async with api_process(postgres_url) as first, api_process(postgres_url) as second:
        opened = await first.post("/api/session", json={"token": HS256.token("user_replay")})
        assert opened.status_code == 200
        cookie = first.cookies[SESSION_COOKIE]
        second.cookies.set(SESSION_COOKIE, cookie, domain="app.example.test")
        assert (await second.get("/api/session")).json()["user_id"] == "user_replay"

        signed_out = await first.delete(
            "/api/session", headers={"X-CSRF-Token": opened.json()["csrf_token"]}
        )
        replayed = await second.get("/api/session")
        first.cookies.set(SESSION_COOKIE, cookie, domain="app.example.test")
        replayed_here = await first.get("/api/billing/summary")

    assert signed_out.status_code == 204
    assert replayed.status_code == 401
    assert "signed out" in replayed.json()["detail"]
    assert replayed_here.status_code == 401


async def test_a_session_opened_with_a_one_minute_token_lasts_one_minute(
    postgres_url: str,
) -> None:
    token = HS256.token("user_short")
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    token = HS256.token("user_short", exp=expires - 240)  # valid for 60 s, not 300

    async with api_process(postgres_url) as client:
        opened = await client.post("/api/session", json={"token": token})

    assert opened.status_code == 200
    assert opened.json()["expires_at"] == datetime.fromtimestamp(expires - 240, UTC).isoformat()
    max_age = int(opened.headers["set-cookie"].lower().split("max-age=")[1].split(";")[0])
    assert 0 < max_age <= 60


async def test_a_link_with_another_accounts_token_does_not_swap_the_signed_in_account(
    postgres_url: str,
) -> None:
    async with api_process(postgres_url) as victim:
        await victim.post("/api/session", json={"token": HS256.token("user_victim")})

        attack = await victim.post("/api/session", json={"token": HS256.token("user_attacker")})
        still = await victim.get("/api/session")
        chosen = await victim.post(
            "/api/session", json={"token": HS256.token("user_other"), "replace": True}
        )

    assert attack.status_code == 409
    assert attack.json()["signed_in_user_id"] == "user_victim"
    assert attack.json()["requested_user_id"] == "user_attacker"
    assert "set-cookie" not in attack.headers
    assert still.json()["user_id"] == "user_victim"
    assert chosen.json()["user_id"] == "user_other"
