"""Cookie-authenticated writes carry the session's CSRF token; Bearer calls need none."""

from __future__ import annotations

from web_harness import WebApp, bearer

PORTAL = "/api/billing/portal-sessions"


async def test_a_cookie_session_reads_without_a_csrf_token(web: WebApp) -> None:
    await web.sign_in_demo("user_b2c")

    response = await web.client.get("/api/billing/summary")

    assert response.status_code == 200
    assert response.json()["user_id"] == "user_b2c"


async def test_a_cookie_post_without_the_csrf_token_is_a_403_problem(web: WebApp) -> None:
    await web.sign_in_demo()

    response = await web.client.post(PORTAL, json={})

    assert response.status_code == 403
    problem = response.json()
    assert problem["type"].endswith("csrf-rejected")
    assert "X-CSRF-Token" in problem["detail"]


async def test_a_forged_csrf_token_is_refused(web: WebApp) -> None:
    session = await web.sign_in_demo()
    forged = session["csrf_token"][:-2] + ("AA" if session["csrf_token"][-2:] != "AA" else "BB")

    response = await web.client.post(PORTAL, json={}, headers={"X-CSRF-Token": forged})

    assert response.status_code == 403
    assert "does not match" in response.json()["detail"]


async def test_another_sessions_csrf_token_is_refused(web: WebApp) -> None:
    other = await web.sign_in_demo("user_past_due")
    await web.sign_in_demo("user_b2c")  # the cookie now holds a new session

    response = await web.client.post(PORTAL, headers={"X-CSRF-Token": other["csrf_token"]})

    assert response.status_code == 403


async def test_the_sessions_csrf_token_lets_the_post_through(web: WebApp) -> None:
    session = await web.sign_in_demo("user_b2c")

    response = await web.client.post(
        PORTAL, json={}, headers={"X-CSRF-Token": session["csrf_token"]}
    )

    assert response.status_code == 201
    assert response.json()["url"].endswith("/user_b2c")


async def test_a_bearer_call_needs_no_csrf_token(web: WebApp) -> None:
    response = await web.client.post(PORTAL, json={}, headers=bearer("user_b2c"))

    assert response.status_code == 201


async def test_a_bearer_token_wins_over_a_cookie_of_another_user(web: WebApp) -> None:
    await web.sign_in_demo("user_past_due")

    response = await web.client.post(PORTAL, headers=bearer("user_b2c"))

    assert response.status_code == 201
    assert response.json()["url"].endswith("/user_b2c")


async def test_a_bad_bearer_token_is_refused_even_with_a_valid_cookie(web: WebApp) -> None:
    await web.sign_in_demo("user_b2c")

    response = await web.client.get(
        "/api/billing/summary", headers={"Authorization": "Bearer not-a-jwt"}
    )

    assert response.status_code == 401
    assert "malformed" in response.json()["detail"]


async def test_no_cookie_and_no_token_is_a_401(web: WebApp) -> None:
    response = await web.client.post(PORTAL, json={})

    assert response.status_code == 401
