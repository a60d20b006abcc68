"""The page's session cookie: flags, lifetime, forgery and sign-out."""

from __future__ import annotations

import pytest
from tests.fakes import FakePageSessions
from web_harness import (
    SESSION_SECRET,
    SUPPORT_EMAIL,
    TTL_SECONDS,
    WebApp,
    cookie_attributes,
    host_app_token,
    web_app,
)

from entrypoints.http.web import SESSION_COOKIE, CookieSessions
from entrypoints.http.web.session import is_loopback_host


async def test_sign_in_sets_an_httponly_samesite_lax_cookie_without_secure_on_localhost(
    web: WebApp,
) -> None:
    response = await web.client.post("/api/demo/sign-in", json={"user_id": "user_b2c"})

    assert response.status_code == 200
    cookie = cookie_attributes(response.headers["set-cookie"])
    assert cookie[SESSION_COOKIE]
    assert "httponly" in cookie
    assert cookie["samesite"].lower() == "lax"
    assert cookie["path"] == "/"
    assert cookie["max-age"] == str(TTL_SECONDS)
    assert "secure" not in cookie
    assert response.headers["cache-control"] == "no-store"


async def test_the_session_says_who_is_signed_in_with_its_csrf_token(web: WebApp) -> None:
    signed_in = await web.sign_in_demo("user_b2c")

    response = await web.client.get("/api/session")

    assert response.status_code == 200
    body = response.json()
    assert body["user_id"] == "user_b2c"
    assert body["csrf_token"] == signed_in["csrf_token"]
    assert body["mode"] == "sandbox"
    assert body["support_email"] == SUPPORT_EMAIL


@pytest.mark.parametrize(
    ("base_url", "app_base_url"),
    [
        ("http://billing.example.test", "http://billing.example.test"),  # behind a TLS proxy
        ("https://billing.example.test", "https://billing.example.test"),
        ("http://portal.localhost:8000", "https://billing.example.test"),  # the app itself is HTTPS
        ("https://portal.localhost:8000", "http://portal.localhost:8000"),
    ],
)
async def test_the_cookie_is_secure_outside_plain_http_localhost(
    base_url: str, app_base_url: str
) -> None:
    async with web_app(base_url=base_url, app_base_url=app_base_url) as web:
        response = await web.client.post("/api/demo/sign-in", json={"user_id": "user_b2c"})

    assert response.status_code == 200
    assert "secure" in cookie_attributes(response.headers["set-cookie"])


async def test_a_loopback_address_counts_as_localhost() -> None:
    host = "http://127.0.0.1:8000"
    async with web_app(base_url=host, app_base_url=host) as web:
        response = await web.client.post("/api/demo/sign-in", json={"user_id": "user_b2c"})

    assert "secure" not in cookie_attributes(response.headers["set-cookie"])


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("portal.localhost", True),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost.example.com", False),
        ("10.0.0.1", False),
        ("billing.example.com", False),
        (None, False),
    ],
)
def test_which_hosts_are_loopback(host: str | None, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


async def test_without_a_session_the_page_gets_a_401_problem(web: WebApp) -> None:
    response = await web.client.get("/api/session")

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "sign in" in response.json()["detail"]


async def test_an_expired_session_is_refused_and_says_so(web: WebApp) -> None:
    await web.sign_in_demo()
    web.clock.advance(TTL_SECONDS - 1)
    assert (await web.client.get("/api/session")).status_code == 200

    web.clock.advance(1)
    session = await web.client.get("/api/session")
    summary = await web.client.get("/api/billing/summary")

    assert session.status_code == 401
    assert "expired" in session.json()["detail"]
    assert summary.status_code == 401
    assert "expired" in summary.json()["detail"]


async def test_a_cookie_signed_with_another_secret_is_refused(web: WebApp) -> None:
    other = CookieSessions(
        "another-secret-that-is-also-32-bytes-long!", store=web.store, app_base_url="http://x"
    )
    _, forged = await other.open("user_b2c")
    web.client.cookies.set(SESSION_COOKIE, forged)

    response = await web.client.get("/api/billing/summary")

    assert response.status_code == 401
    assert "invalid" in response.json()["detail"]


async def test_a_tampered_cookie_is_refused(web: WebApp) -> None:
    _, token = await web.sessions.open("user_b2c")
    header, payload, signature = token.split(".")
    web.client.cookies.set(SESSION_COOKIE, f"{header}.{payload}.{signature[::-1]}")

    assert (await web.client.get("/api/session")).status_code == 401


async def test_a_host_app_bearer_token_is_not_a_session_cookie(web: WebApp) -> None:
    web.client.cookies.set(SESSION_COOKIE, host_app_token("user_b2c"))

    assert (await web.client.get("/api/session")).status_code == 401


async def test_sign_out_needs_the_csrf_token_then_clears_the_cookie(web: WebApp) -> None:
    session = await web.sign_in_demo()

    refused = await web.client.delete("/api/session")
    assert refused.status_code == 403
    assert (await web.client.get("/api/session")).status_code == 200

    response = await web.client.delete(
        "/api/session", headers={"X-CSRF-Token": session["csrf_token"]}
    )

    assert response.status_code == 204
    cleared = cookie_attributes(response.headers["set-cookie"])
    assert cleared[SESSION_COOKIE] in ("", '""')
    assert cleared["max-age"] == "0"
    assert (await web.client.get("/api/session")).status_code == 401


async def test_signing_out_of_an_expired_session_just_clears_it(web: WebApp) -> None:
    await web.sign_in_demo()
    web.clock.advance(TTL_SECONDS + 1)

    response = await web.client.delete("/api/session")

    assert response.status_code == 204
    assert cookie_attributes(response.headers["set-cookie"])["max-age"] == "0"


def test_a_short_session_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        CookieSessions(
            SESSION_SECRET[:31], store=FakePageSessions(), app_base_url="http://localhost:8000"
        )


async def test_a_cookie_replayed_after_sign_out_is_refused(web: WebApp) -> None:
    session = await web.sign_in_demo()
    copied = web.client.cookies[SESSION_COOKIE]
    signed_out = await web.client.delete(
        "/api/session", headers={"X-CSRF-Token": session["csrf_token"]}
    )
    assert signed_out.status_code == 204

    web.client.cookies.set(SESSION_COOKIE, copied)  # whoever kept a copy of the cookie
    replayed = await web.client.get("/api/session")
    summary = await web.client.get("/api/billing/summary")

    assert replayed.status_code == 401
    assert "signed out" in replayed.json()["detail"]
    assert summary.status_code == 401


async def test_a_session_ends_when_the_host_apps_token_does(web: WebApp) -> None:
    token = host_app_token(
        "user_42", ttl=60, now=web.clock.now().timestamp()
    )  # the session lasts an hour

    response = await web.client.post("/api/session", json={"token": token})

    assert response.status_code == 200
    assert cookie_attributes(response.headers["set-cookie"])["max-age"] == "60"
    web.clock.advance(59)
    assert (await web.client.get("/api/billing/summary")).status_code == 200
    web.clock.advance(1)
    expired = await web.client.get("/api/billing/summary")
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]
