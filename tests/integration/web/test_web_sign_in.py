"""Opening a session: the host app's JWT (production) and the demo sign-in (sandbox only)."""

from __future__ import annotations

import json

import pytest
from web_harness import DEMO_USERS, WebApp, cookie_attributes, host_app_token, web_app

from entrypoints.http.web import SESSION_COOKIE

ORIGIN = "http://portal.localhost:8000"


async def test_the_host_apps_jwt_opens_a_cookie_session(web: WebApp) -> None:
    response = await web.client.post(
        "/api/session", json={"token": host_app_token("user_42")}, headers={"Origin": ORIGIN}
    )

    assert response.status_code == 200
    assert response.json()["user_id"] == "user_42"
    assert "httponly" in cookie_attributes(response.headers["set-cookie"])
    assert (await web.client.get("/api/billing/summary")).json()["user_id"] == "user_42"


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (host_app_token("user_42", ttl=-60), "expired"),
        (host_app_token("user_42", secret="someone-elses-secret-that-is-long-enough"), "signature"),
        ("garbage", "malformed"),
    ],
)
async def test_a_bad_host_app_token_opens_nothing(web: WebApp, token: str, reason: str) -> None:
    response = await web.client.post("/api/session", json={"token": token})

    assert response.status_code == 401
    assert reason in response.json()["detail"]
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize("body", [{}, {"token": ""}, {"token": "x", "user_id": "admin"}])
async def test_a_malformed_sign_in_body_is_a_422(web: WebApp, body: dict[str, str]) -> None:
    response = await web.client.post("/api/session", json=body)

    assert response.status_code == 422


async def test_a_sign_in_that_is_not_json_is_refused_as_cross_site(web: WebApp) -> None:
    # what a hostile page's <form> or no-cors fetch can send
    body = json.dumps({"token": host_app_token("attacker")})
    response = await web.client.post(
        "/api/session", content=body, headers={"Content-Type": "text/plain"}
    )

    assert response.status_code == 403
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}],
)
async def test_a_sign_in_from_another_site_is_refused(web: WebApp, headers: dict[str, str]) -> None:
    response = await web.client.post(
        "/api/demo/sign-in", json={"user_id": "user_b2c"}, headers=headers
    )

    assert response.status_code == 403
    assert SESSION_COOKIE not in web.client.cookies


async def test_the_sandbox_lists_its_demo_users(web: WebApp) -> None:
    response = await web.client.get("/api/demo/users")

    assert response.status_code == 200
    assert [user["user_id"] for user in response.json()] == [u.user_id for u in DEMO_USERS]
    assert set(response.json()[0]) == {"user_id", "email", "segment", "description"}


async def test_only_a_demo_user_can_be_signed_in_as(web: WebApp) -> None:
    response = await web.client.post("/api/demo/sign-in", json={"user_id": "user_admin"})

    assert response.status_code == 404
    assert SESSION_COOKIE not in web.client.cookies


async def test_production_has_no_demo_sign_in() -> None:
    async with web_app(sandbox=False) as web:
        users = await web.client.get("/api/demo/users")
        sign_in = await web.client.post("/api/demo/sign-in", json={"user_id": "user_b2c"})
        token = await web.client.post("/api/session", json={"token": host_app_token("u1")})

    assert users.status_code == 404
    assert sign_in.status_code == 404
    assert SESSION_COOKIE not in sign_in.headers.get("set-cookie", "")
    assert token.json()["mode"] == "production"


async def test_a_token_for_another_account_never_silently_replaces_the_session(
    web: WebApp,
) -> None:
    # Login CSRF: a link carrying the attacker's own token, opened by a signed-in victim.
    await web.sign_in_demo("user_b2c")
    attackers = host_app_token("user_attacker", email="mallory@example.test")

    response = await web.client.post("/api/session", json={"token": attackers})

    assert response.status_code == 409
    problem = response.json()
    assert problem["type"].endswith("signed-in-as-someone-else")
    assert (problem["signed_in_user_id"], problem["signed_in_email"]) == (
        "user_b2c",
        "ana@example.test",
    )
    assert (problem["requested_user_id"], problem["requested_email"]) == (
        "user_attacker",
        "mallory@example.test",
    )
    assert "set-cookie" not in response.headers
    assert (await web.client.get("/api/session")).json()["user_id"] == "user_b2c"
    assert (await web.client.get("/api/billing/summary")).json()["user_id"] == "user_b2c"


async def test_switching_accounts_is_an_explicit_choice_and_ends_the_old_session(
    web: WebApp,
) -> None:
    await web.sign_in_demo("user_b2c")
    old_cookie = web.client.cookies[SESSION_COOKIE]

    switched = await web.client.post(
        "/api/session",
        json={"token": host_app_token("user_42", email="u42@example.test"), "replace": True},
    )

    assert switched.status_code == 200
    assert (switched.json()["user_id"], switched.json()["email"]) == ("user_42", "u42@example.test")
    web.client.cookies.set(SESSION_COOKIE, old_cookie)
    assert (await web.client.get("/api/session")).status_code == 401


async def test_the_same_accounts_token_just_renews_the_session(web: WebApp) -> None:
    await web.sign_in_demo("user_b2c")

    renewed = await web.client.post("/api/session", json={"token": host_app_token("user_b2c")})

    assert renewed.status_code == 200
    assert renewed.json()["user_id"] == "user_b2c"


async def test_the_session_says_whose_account_it_is(web: WebApp) -> None:
    demo = await web.sign_in_demo("user_past_due")

    assert (demo["user_id"], demo["email"]) == ("user_past_due", "bo@example.test")
