"""``GET /api/billing/summary`` and ``POST /api/billing/portal-sessions`` as plain ASGI.

The two routes a signed-in page calls most were mostly framework: Litestar's middleware
stack, router, kwargs and response machinery, and dishka's per-request container
middleware, about half of a summary's CPU (docs/PERFORMANCE.md). ``BillingFastPath``
serves the common case of both without them, inside the request-id and metrics wrappers
as ``WebhookRoute`` is:

- a request with a bearer token that verifies: the use case runs in a dishka request
  container of its own and the answer is written directly (the same JSON, status codes,
  problem details, log lines and metrics label as the Litestar handlers);
- everything else goes to Litestar unchanged, so its behaviour is the handlers' own: no
  ``Authorization`` header (the billing page's cookie session and its CSRF check), a
  token that does not verify (the 401), a body that is not a strict ``PortalSessionBody``
  (Litestar's 422 with its field list, or its lenient reading), an empty body, a body
  over the cap (413), other methods and paths. A body already read is replayed to it.

The Litestar handlers stay: they document both routes in the OpenAPI schema and serve
what this path passes on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import msgspec
from dishka import AsyncContainer
from dishka import Scope as DIScope
from litestar.enums import ScopeType
from litestar.plugins.problem_details import ProblemDetailsException
from litestar.types import ASGIApp, HTTPRequestEvent, Receive, ReceiveMessage, Scope, Send

from application.billing_page.billing_summary import BillingSummary
from application.errors import ApplicationError, NotAuthenticated
from application.open_portal import OpenBillingPortal, PortalAccessSettings
from entrypoints.http.asgi_body import ClientDisconnected, read_capped
from entrypoints.http.auth import JwtVerifier
from entrypoints.http.billing import summary_body
from entrypoints.http.portal import answer, use_case_request
from entrypoints.http.problems import application_problem, internal_problem, problem_document
from entrypoints.http.schemas import PortalSessionBody
from entrypoints.ioc.use_cases import PooledPortals

SUMMARY_PATH = "/api/billing/summary"
PORTAL_PATH = "/api/billing/portal-sessions"
_JSON = b"application/json"
_PROBLEM_JSON = b"application/problem+json"
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
        headers = _headers(scope)
        user_id = self._user(headers)
        if user_id is None:
            await self._app(scope, receive, send)
            return
        scope["path_template"] = SUMMARY_PATH  # the metrics' route label, as Litestar sets
        try:
            settings = await self.resolve()
            # App-scoped (no session of its own: the link and page are one statement on a
            # pooled connection), so no request container either (5% of a summary).
            assert self._summary_use_case is not None
            result = await self._summary_use_case.execute(user_id)
            body = summary_body(user_id, result, settings.return_urls.app_base_url)
        except ApplicationError as error:
            await _send_problem(send, application_problem(error))
            return
        except Exception as error:
            await _send_problem(send, internal_problem(error))
            return
        await _send(send, 200, _JSON, _ENCODER.encode(body))

    async def _portal(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _headers(scope)
        user_id = self._user(headers)
        if user_id is None:
            await self._app(scope, receive, send)
            return
        try:
            data = await self._data(headers, receive)
        except _PassOn as passed:
            await self._app(scope, _replaying(passed, receive), send)
            return
        except ClientDisconnected:
            return
        scope["path_template"] = PORTAL_PATH
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
            await _send_problem(send, application_problem(error))
            return
        except Exception as error:
            await _send_problem(send, internal_problem(error))
            return
        await _send(send, status, _JSON, _ENCODER.encode(body))

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


def _headers(scope: Scope) -> dict[bytes, bytes]:
    """The request's headers by lower-case name; the first of a repeated header wins, as
    Litestar's ``headers.get`` would have it."""
    found: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        found.setdefault(name.lower(), value)
    return found


async def _send(
    send: Send,
    status: int,
    media_type: bytes,
    body: bytes,
    extra: Mapping[str, str] | None = None,
) -> None:
    headers = [(b"content-type", media_type), (b"content-length", b"%d" % len(body))]
    if extra:
        headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in extra.items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _send_problem(send: Send, problem: ProblemDetailsException) -> None:
    """The problem details as Litestar's ProblemDetailsPlugin writes them."""
    body = problem_document(problem)
    await _send(send, problem.status_code, _PROBLEM_JSON, body, problem.headers)
