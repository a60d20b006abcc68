"""``/api/session`` (read, open with the host app's JWT, close) and the sandbox's demo sign-in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import msgspec
import structlog
from litestar import Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from application.errors import NotAuthenticated, UserNotFound
from entrypoints.http.web.authentication import BearerVerifier
from entrypoints.http.web.demo_users import DemoUser, DemoUserSource
from entrypoints.http.web.errors import CsrfRejected, SignedInAsSomeoneElse
from entrypoints.http.web.session import CookieSessions, WebSession

log = structlog.get_logger("entrypoints.http.web")
_NO_STORE = {"Cache-Control": "no-store"}


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(None, description=description, media_type="application/problem+json")


_SIGNED_OUT = {401: _problem("No page session, or it expired, was signed out or forged")}
_INVALID = {422: _problem("The body is missing, not JSON, or not the documented shape")}
_CROSS_SITE = {403: _problem("Not sent as JSON by the page itself (login CSRF refused)")}


class SessionInfo(msgspec.Struct, frozen=True):
    """The signed-in page session; send ``csrf_token`` as ``X-CSRF-Token`` on writes."""

    user_id: str
    csrf_token: str
    mode: Literal["sandbox", "production"]
    support_email: str | None
    expires_at: str
    email: str | None = None  # the account's email when known: the page shows whose it is


class TokenSignIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The host app's JWT for its signed-in user (the same kind the Bearer API accepts).

    While this browser holds another account's session the sign-in is refused with a 409
    naming both accounts, unless ``replace`` says the user chose to switch."""

    token: Annotated[str, msgspec.Meta(min_length=1, max_length=8192)]
    replace: bool = False


class DemoSignIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    user_id: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


@dataclass(frozen=True, slots=True)
class WebContext:
    """What the page's routes need; built once by ``web_router``."""

    sessions: CookieSessions
    verifier: BearerVerifier
    sandbox: bool
    support_email: str | None = None
    demo_users: DemoUserSource | None = None

    def info(self, session: WebSession) -> SessionInfo:
        expires = datetime.fromtimestamp(session.expires_at, UTC).isoformat()
        mode: Literal["sandbox", "production"] = "sandbox" if self.sandbox else "production"
        return SessionInfo(
            session.user_id, session.csrf_token, mode, self.support_email, expires, session.email
        )

    async def current(self, request: Request[Any, Any, Any]) -> WebSession | None:
        """This browser's live session, or None (none, expired, ended or forged)."""
        try:
            return await self.sessions.session_of(request)
        except NotAuthenticated:
            return None

    async def signed_in(
        self,
        request: Request[Any, Any, Any],
        user_id: str,
        *,
        email: str | None = None,
        not_after: int | None = None,
    ) -> Response[SessionInfo]:
        """A new session (the browser's previous one, if any, ends: one at a time)."""
        previous = await self.current(request)
        session, token = await self.sessions.open(user_id, email=email, not_after=not_after)
        if previous is not None:
            await self.sessions.close(previous)
        cookie = self.sessions.cookie(request, token, session)
        return Response(self.info(session), cookies=[cookie], headers=_NO_STORE)


def _require_page_origin(request: Request[Any, Any, Any], sessions: CookieSessions) -> None:
    """Refuses login CSRF: a cross-site form cannot send JSON, and a browser's
    ``Origin``/``Sec-Fetch-Site`` show where a request came from."""
    if request.content_type[0] != "application/json":
        raise CsrfRejected("sign-in requests must be sent as application/json by the page")
    if request.headers.get("sec-fetch-site", "") == "cross-site":
        raise CsrfRejected("sign-in from another site is refused")
    origin = request.headers.get("origin")
    if origin is None:
        return
    netloc = urlsplit(origin).netloc.lower()
    allowed = {request.headers.get("host", "").lower(), urlsplit(sessions.app_base_url).netloc}
    if not netloc or netloc not in allowed:
        raise CsrfRejected(f"sign-in from origin {origin!r} is refused")


@get(
    "/api/session",
    summary="The page's cookie session",
    tags=["web session"],
    responses=_SIGNED_OUT,
)
async def read_session(
    request: Request[Any, Any, Any], web: NamedDependency[WebContext]
) -> Response[SessionInfo]:
    session = await web.sessions.session_of(request)
    if session is None:
        raise NotAuthenticated("no page session; sign in first")
    return Response(web.info(session), headers=_NO_STORE)


@post(
    "/api/session",
    summary="Open a page session with the host app's JWT",
    status_code=200,
    tags=["web session"],
    responses={
        401: _problem("The token is missing, expired or does not verify"),
        **_CROSS_SITE,
        409: _problem("This browser is signed in as another account; resend with replace"),
        **_INVALID,
    },
)
async def open_session(
    request: Request[Any, Any, Any], data: JSONBody[TokenSignIn], web: NamedDependency[WebContext]
) -> Response[SessionInfo]:
    _require_page_origin(request, web.sessions)
    token = web.verifier.verify(f"Bearer {data.token}")
    current = await web.current(request)
    if current is not None and current.user_id != token.user_id and not data.replace:
        # Login CSRF: never swap the account under the user's feet; the page asks first.
        log.warning("web.session.switch_refused", user_id=current.user_id)
        raise SignedInAsSomeoneElse(
            f"this browser is signed in as {current.email or current.user_id!r}; the token is "
            f"for {token.email or token.user_id!r}: sign out first, or send replace=true "
            "once the user has chosen to switch accounts",
            signed_in=(current.user_id, current.email),
            requested=(token.user_id, token.email),
        )
    log.info("web.session.opened", user_id=token.user_id, via="token")
    # The session ends when the host app's token does, not a lifetime later.
    return await web.signed_in(
        request, token.user_id, email=token.email, not_after=token.expires_at
    )


@delete(
    "/api/session",
    summary="Sign out (needs X-CSRF-Token)",
    tags=["web session"],
    responses={
        204: ResponseSpec(None, description="Signed out; the cookie is cleared"),
        403: _problem("The X-CSRF-Token header is missing or not this session's"),
    },
)
async def close_session(
    request: Request[Any, Any, Any], web: NamedDependency[WebContext]
) -> Response[None]:
    try:
        session = await web.sessions.session_of(request)
    except NotAuthenticated:
        session = None  # an expired or stale cookie is simply cleared
    if session is not None:
        web.sessions.check_csrf(request, session)
        await web.sessions.close(session)  # for every copy of the cookie, in every process
        log.info("web.session.closed", user_id=session.user_id)
    cookie = web.sessions.clearing_cookie(request)
    return Response(None, status_code=204, cookies=[cookie], headers=_NO_STORE)


@get("/api/demo/users", summary="Sandbox only: the demo users", tags=["web session"])
async def list_demo_users(web: NamedDependency[WebContext]) -> list[DemoUser]:
    return list(await web.demo_users()) if web.demo_users else []


@post(
    "/api/demo/sign-in",
    summary="Sandbox only: sign in as a demo user",
    status_code=200,
    tags=["web session"],
    responses={
        **_CROSS_SITE,
        404: _problem("Not one of the sandbox's demo users"),
        **_INVALID,
    },
)
async def demo_sign_in(
    request: Request[Any, Any, Any], data: JSONBody[DemoSignIn], web: NamedDependency[WebContext]
) -> Response[SessionInfo]:
    _require_page_origin(request, web.sessions)
    users = await web.demo_users() if web.demo_users else []
    user = next((user for user in users if user.user_id == data.user_id), None)
    if user is None:
        raise UserNotFound(f"{data.user_id!r} is not one of the sandbox's demo users")
    log.info("web.session.opened", user_id=data.user_id, via="demo")
    return await web.signed_in(request, data.user_id, email=user.email)


SESSION_HANDLERS = [read_session, open_session, close_session]
DEMO_HANDLERS = [list_demo_users, demo_sign_in]
