"""``GET /api/billing/summary`` and ``POST /api/billing/portal-sessions`` as plain ASGI.

The two routes a signed-in page calls most were mostly framework: Litestar's middleware
stack, router, kwargs and response machinery, and dishka's per-request container
middleware, about half of a summary's CPU (docs/PERFORMANCE.md). ``BillingFastPath``
serves the common case of both without them, in front of the request-id and metrics
wrappers, doing their work in line as ``WebhookRoute`` does (the same request id rule,
echoed header, access line and duration metric; their send-wrappers were ~5% of a
request):

- a request with a bearer token that verifies: the use case runs in a dishka request
  container of its own and the answer is written directly (the same JSON, status codes,
  problem details, log lines and metrics label as the Litestar handlers);
- everything else goes to the wrappers and Litestar unchanged, so its behaviour is the
  handlers' own: no ``Authorization`` header (the billing page's cookie session and its
  CSRF check), a token that does not verify (the 401), a body that is not a strict
  ``PortalSessionBody`` (Litestar's 422 with its field list, or its lenient reading), an
  empty body, a body over the cap (413), other methods and paths. A body already read is
  replayed to it.

The Litestar handlers stay: they document both routes in the OpenAPI schema and serve
what this path passes on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

import msgspec
import structlog
from dishka import AsyncContainer
from dishka import Scope as DIScope
from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPRequestEvent, Receive, ReceiveMessage, Scope, Send

from adapters.metrics.recorders import record_http_request
from application.billing_page.billing_summary import BillingSummary
from application.errors import ApplicationError, NotAuthenticated
from application.open_portal import OpenBillingPortal, PortalAccessSettings
from entrypoints.http.asgi_answer import JSON, send_answer, send_problem
from entrypoints.http.asgi_body import ClientDisconnected, read_capped
from entrypoints.http.auth import JwtVerifier
from entrypoints.http.billing import summary_body
from entrypoints.http.metrics import UNMATCHED_ROUTE
from entrypoints.http.portal import answer, use_case_request
from entrypoints.http.problems import application_problem, internal_problem
from entrypoints.http.request_context import REQUEST_ID_HEADER, read_headers, request_id_from
from entrypoints.http.schemas import PortalSessionBody
from entrypoints.ioc.use_cases import PooledPortals
from entrypoints.logging import log_request_completed

SUMMARY_PATH = "/api/billing/summary"
PORTAL_PATH = "/api/billing/portal-sessions"
REQUEST_ID_HEADER_BYTES = REQUEST_ID_HEADER.encode()
_BODY_DECODER = msgspec.json.Decoder(PortalSessionBody | None, strict=True)
_ENCODER = msgspec.json.Encoder()


class _PassOn(Exception):
    """Litestar answers this request (what was read of the body is replayed to it)."""

    def __init__(self, chunks: list[bytes] | None = None, *, ended: bool = False) -> None:
        super().__init__()
        self.chunks, self.ended = chunks or [], ended


class BillingFastPath:
    """The two routes as plain ASGI; anything it does not serve goes to ``app``.

    ``container``: the app's dishka container (a request container is opened from it per
    request, as dishka's Litestar middleware does); ``verifier``: the API's JWT verifier;
    ``max_bytes``: the JSON body cap of the Litestar app (a larger body is passed on, and
    Litestar answers 413).
    """

    def __init__(
        self, app: ASGIApp, container: AsyncContainer, verifier: JwtVerifier, *, max_bytes: int
    ) -> None:
        self._app, self._container, self._verifier = app, container, verifier
        self._max_bytes = max_bytes
        self._settings: PortalAccessSettings | None = None
        self._summary_use_case: BillingSummary | None = None
        self._portals: PooledPortals | None = None
        self._resolving = asyncio.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            path, method = scope["path"], scope.get("method")
            if path == SUMMARY_PATH and method == "GET":
                await self._summary(scope, receive, send)
                return
            if path == PORTAL_PATH and method == "POST":
                await self._portal(scope, receive, send)
                return
        await self._app(scope, receive, send)

    async def resolve(self) -> PortalAccessSettings:
        """The app-scoped settings and summary use case (also called as the app starts)."""
        if self._settings is None:
            async with self._resolving:
                if self._settings is None:
                    self._summary_use_case = await self._container.get(BillingSummary)
                    portals = await self._container.get(PooledPortals)
                    self._portals = portals if portals.available else None
                    self._settings = await self._container.get(PortalAccessSettings)
        return self._settings

    def _user(self, headers: Mapping[bytes, bytes]) -> str | None:
        """The bearer token's user, or None: Litestar decides (cookie session, 401)."""
        authorization = headers.get(b"authorization")
        if authorization is None:
            return None
        try:
            return self._verifier.user_id(authorization.decode("latin-1"))
        except NotAuthenticated:
            return None

    async def _summary(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        headers, given_id = read_headers(scope)
        user_id = self._user(headers)
        if user_id is None:
            await self._app(scope, receive, send)
            return
        scope["path_template"] = SUMMARY_PATH  # the metrics' route label, as Litestar sets
        echoed, tokens = _begin(scope, given_id)
        status = 500  # unless an answer is sent
        try:
            status = await self._summary_answer(user_id, send, echoed)
        finally:
            _end("GET", SUMMARY_PATH, SUMMARY_PATH, status, started, tokens)

    async def _summary_answer(self, user_id: str, send: Send, echoed: tuple[bytes, bytes]) -> int:
        try:
            settings = await self.resolve()
            # App-scoped (no session of its own: the link and page are one statement on a
            # pooled connection), so no request container either (5% of a summary).
            assert self._summary_use_case is not None
            result = await self._summary_use_case.execute(user_id)
            body = summary_body(user_id, result, settings.return_urls.app_base_url)
        except ApplicationError as error:
            return await send_problem(send, application_problem(error), echoed)
        except Exception as error:
            return await send_problem(send, internal_problem(error), echoed)
        return await send_answer(send, 200, JSON, _ENCODER.encode(body), echoed)

    async def _portal(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        headers, given_id = read_headers(scope)
        user_id = self._user(headers)
        if user_id is None:
            await self._app(scope, receive, send)
            return
        # Litestar's route label once the body is read (a client gone before that was
        # timed as an unmatched route by the metrics wrapper; still so).
        route = UNMATCHED_ROUTE
        status = 500  # unless an answer is sent
        try:
            data = await self._data(headers, receive)
        except _PassOn as passed:
            await self._app(scope, _replaying(passed, receive), send)
            return
        except ClientDisconnected:
            _end("POST", PORTAL_PATH, route, status, started, _begin(scope, given_id)[1])
            return
        route = scope["path_template"] = PORTAL_PATH
        echoed, tokens = _begin(scope, given_id)
        try:
            status = await self._portal_answer(scope, headers, user_id, data, send, echoed)
        finally:
            _end("POST", PORTAL_PATH, route, status, started, tokens)

    async def _portal_answer(
        self,
        scope: Scope,
        headers: Mapping[bytes, bytes],
        user_id: str,
        data: PortalSessionBody | None,
        send: Send,
        echoed: tuple[bytes, bytes],
    ) -> int:
        client = scope.get("client")
        user_agent = headers.get(b"user-agent")
        request = use_case_request(
            user_id,
            data,
            request_id=scope.get("state", {}).get("request_id"),
            client_address=client[0] if client else None,
            user_agent=None if user_agent is None else user_agent.decode("latin-1"),
        )
        try:
            await self.resolve()
            if self._portals is not None:  # PostgreSQL: one pooled connection, no container
                use_case, unit = self._portals(user_id)
                try:
                    result = await use_case.execute(request)
                finally:
                    await unit.release()
            else:
                async with self._container(scope=DIScope.REQUEST) as request_container:
                    use_case = await request_container.get(OpenBillingPortal)
                    result = await use_case.execute(request)
            status, body = answer(result)
        except ApplicationError as error:
            return await send_problem(send, application_problem(error), echoed)
        except Exception as error:
            return await send_problem(send, internal_problem(error), echoed)
        return await send_answer(send, status, JSON, _ENCODER.encode(body), echoed)

    async def _data(
        self, headers: Mapping[bytes, bytes], receive: Receive
    ) -> PortalSessionBody | None:
        """The body, decoded, when Litestar would read it the same way: not empty (an
        empty body is the handler's default), not over the cap, a strict
        ``PortalSessionBody`` (or null); else ``_PassOn``."""
        announced = headers.get(b"content-length")
        if announced is not None and (not announced.isdigit() or int(announced) > self._max_bytes):
            raise _PassOn
        chunks, size, ended = await read_capped(receive, self._max_bytes)
        if size > self._max_bytes:
            raise _PassOn(chunks, ended=ended)
        if not size:
            raise _PassOn(ended=True)
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        try:
            data: PortalSessionBody | None = _BODY_DECODER.decode(body)
        except Exception:  # Litestar's reading decides: lenient, or a 422 saying why
            raise _PassOn([body], ended=True) from None
        return data


def _replaying(passed: _PassOn, receive: Receive) -> Receive:
    """``receive`` with the chunks already read put back in front."""
    pending: list[HTTPRequestEvent] = [
        {"type": "http.request", "body": chunk, "more_body": True} for chunk in passed.chunks
    ]
    if passed.ended:
        if pending:
            pending[-1]["more_body"] = False
        else:
            pending.append({"type": "http.request", "body": b"", "more_body": False})

    async def replay() -> ReceiveMessage:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


def _begin(scope: Scope, given_id: str | None) -> tuple[tuple[bytes, bytes], Any]:
    """What request_context_middleware does as a request comes in, in line: the request
    id (a safe ``X-Request-ID`` given, else a new one) in the scope's state and bound to
    the logs; returns the header echoing it and the context tokens."""
    request_id = request_id_from(given_id)
    scope.setdefault("state", {})["request_id"] = request_id
    tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
    return (REQUEST_ID_HEADER_BYTES, request_id.encode("latin-1")), tokens


def _end(method: str, path: str, route: str, status: int, started: float, tokens: Any) -> None:
    """What the metrics and request-id wrappers do as a request ends: the duration by
    route label, the access line, the log context reset."""
    duration = time.perf_counter() - started
    record_http_request(method, route, status, duration)
    log_request_completed(method, path, status, round(duration * 1000, 1))
    structlog.contextvars.reset_contextvars(**tokens)
