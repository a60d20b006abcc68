"""A small Litestar app around the web package: the page router, the problem map, and a
fake ``/api/billing`` behind the API's JWT middleware extended the way ``create_app`` is
(cookie session or Bearer, through ``authenticated_user``)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from litestar import Litestar, Request, Router, get, post
from litestar.connection import ASGIConnection
from litestar.middleware import AuthenticationResult, DefineMiddleware
from litestar.plugins.problem_details import ProblemDetailsPlugin
from litestar.testing import AsyncTestClient
from litestar.types import ASGIApp
from tests.fakes import FakeClock, FakePageSessions

from entrypoints.http.auth import JwtAuthenticationMiddleware, JwtVerifier
from entrypoints.http.problems import problem_details_config
from entrypoints.http.web import (
    CookieSessions,
    DemoUser,
    authenticated_user,
    static_demo_users,
    web_router,
)
from entrypoints.jwt_settings import JwtSettings

ISSUER = "https://app.example.test"
AUDIENCE = "billing-portal-api"
HOST_APP_SECRET = "the-host-apps-shared-secret-for-hs256-tokens"
SESSION_SECRET = "a-session-secret-of-at-least-thirty-two-bytes"
SUPPORT_EMAIL = "billing@example.test"
TTL_SECONDS = 3600
DEMO_USERS = [
    DemoUser("user_b2c", "ana@example.test", "b2c", "an active monthly subscription"),
    DemoUser("user_past_due", "bo@example.test", "b2c", "the last payment failed"),
]


def host_app_token(
    sub: str,
    *,
    secret: str = HOST_APP_SECRET,
    ttl: int = 300,
    now: float | None = None,
    **claims: object,
) -> str:
    """A JWT as the host web app mints it for its signed-in user (issued at ``now``)."""
    issued = int(time.time() if now is None else now)
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": sub, "iat": issued, "exp": issued + ttl,
              **claims}  # fmt: skip
    return jwt.encode(claims, secret, algorithm="HS256")


def bearer(sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {host_app_token(sub)}"}


class SessionAwareJwtMiddleware(JwtAuthenticationMiddleware):
    """``JwtAuthenticationMiddleware`` with the two lines the lead adds to auth.py."""

    def __init__(self, app: ASGIApp, verifier: JwtVerifier, sessions: CookieSessions) -> None:
        super().__init__(app, verifier)
        self._sessions = sessions

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        user_id = await authenticated_user(connection, self._verifier, self._sessions)
        return AuthenticationResult(user=user_id, auth=None)


@get("/summary")
async def fake_summary(request: Request[str, Any, Any]) -> dict[str, Any]:
    return {"user_id": request.user, "subscriptions": []}


@post("/portal-sessions", status_code=201)
async def fake_portal_session(request: Request[str, Any, Any]) -> dict[str, Any]:
    return {"url": f"https://portal.example.test/{request.user}", "reason": "segment"}


@dataclass
class WebApp:
    client: AsyncTestClient[Litestar]
    sessions: CookieSessions
    clock: FakeClock
    store: FakePageSessions

    async def sign_in_demo(self, user_id: str = "user_b2c") -> dict[str, Any]:
        response = await self.client.post("/api/demo/sign-in", json={"user_id": user_id})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


def build_app(
    sessions: CookieSessions,
    *,
    sandbox: bool = True,
    demo_users: Sequence[DemoUser] = DEMO_USERS,
) -> Litestar:
    verifier = JwtVerifier(JwtSettings("HS256", ISSUER, AUDIENCE, secret=HOST_APP_SECRET))
    api = Router(
        "/api/billing",
        route_handlers=[fake_summary, fake_portal_session],
        middleware=[
            DefineMiddleware(SessionAwareJwtMiddleware, verifier=verifier, sessions=sessions)
        ],
    )
    page = web_router(
        sessions,
        verifier,
        sandbox=sandbox,
        support_email=SUPPORT_EMAIL,
        demo_users=static_demo_users(demo_users) if sandbox else None,
    )
    return Litestar(
        route_handlers=[api, page],
        plugins=[ProblemDetailsPlugin(problem_details_config())],
        logging_config=None,
    )


@asynccontextmanager
async def web_app(
    *,
    base_url: str = "http://portal.localhost:8000",
    app_base_url: str = "http://portal.localhost:8000",
    sandbox: bool = True,
    secure: bool | None = None,
) -> AsyncIterator[WebApp]:
    # Session time the tests move by hand (no sleeping), starting at the real time: the
    # host app's tokens are minted and verified on real time.
    clock = FakeClock(datetime.fromtimestamp(int(time.time()), UTC))
    store = FakePageSessions()
    sessions = CookieSessions(
        SESSION_SECRET,
        store=store,
        app_base_url=app_base_url,
        ttl_seconds=TTL_SECONDS,
        secure=secure,
        clock=lambda: clock.now().timestamp(),
    )
    app = build_app(sessions, sandbox=sandbox)
    async with AsyncTestClient(app, base_url=base_url) as client:
        yield WebApp(client, sessions, clock, store)


def cookie_attributes(set_cookie: str) -> dict[str, str]:
    """``name=value; Path=/; HttpOnly`` -> {"name": "value", "path": "/", "httponly": ""}."""
    parts = [part.strip() for part in set_cookie.split(";") if part.strip()]
    name, _, value = parts[0].partition("=")
    attributes = {name: value}
    for part in parts[1:]:
        key, _, val = part.partition("=")
        attributes[key.lower()] = val
    return attributes
