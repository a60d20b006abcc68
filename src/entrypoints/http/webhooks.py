"""POST /api/webhooks/stripe: verify, store in the inbox, answer; the workers do the rest.

No bearer token here: Stripe proves itself with the ``Stripe-Signature`` header. The body
is capped at PORTAL_WEBHOOK_MAX_BYTES (413 before the rest is read).

A renewal day sends thousands of these a second, so ``WebhookRoute`` serves this one path
as a plain ASGI app in front of Litestar's router: its dependencies are resolved once per
app (not a dishka request container per delivery), the body is read straight from the
server, and the answer is written without Litestar's response machinery. It sits in front
of the request-id and metrics wrappers and does their work in line (the same request id
rule, access line and duration metric), and answers errors with the same problem details
(the one map in ``problems.py``). The Litestar handler below documents the route in the
OpenAPI schema and serves what the fast path leaves to it (other methods, a trailing
slash); both run ``_ingest``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

import msgspec
import structlog
from dishka import AsyncContainer
from dishka.integrations.litestar import FromDishka, inject
from litestar import Request, post
from litestar.datastructures import State
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.openapi.datastructures import ResponseSpec
from litestar.types import ASGIApp, Receive, Scope, Send

from adapters.metrics.recorders import record_http_request, record_webhook
from adapters.webhooks.signature import StripeSignatureVerifier
from application.errors import ApplicationError, InvalidWebhook
from application.ports.clock import Clock
from application.sync.receive_event import ReceiveEvent
from entrypoints.http.asgi_answer import JSON, send_answer, send_problem
from entrypoints.http.asgi_body import ClientDisconnected, read_capped
from entrypoints.http.billing_schemas import WebhookReceived
from entrypoints.http.problems import application_problem, http_problem, internal_problem
from entrypoints.http.request_context import REQUEST_ID_HEADER, read_headers, request_id_from
from entrypoints.logging import log_request_completed

log = structlog.get_logger("entrypoints.http")
WORKER_WAKEUP = "sync_worker_wakeup"  # app.state key of the in-process worker's event
WEBHOOK_PATH = "/api/webhooks/stripe"


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(None, description=description, media_type="application/problem+json")


async def _ingest(
    body: bytes,
    signature: str | None,
    verifier: StripeSignatureVerifier,
    clock: Clock,
    receive: ReceiveEvent,
    state: State,
) -> bool:
    """Verify and store one delivery; True when the inbox already held it."""
    try:
        payload = verifier.verify(body, signature, now=clock.now())
    except InvalidWebhook:
        record_webhook(None, "rejected_signature")
        raise
    try:
        received = await receive.execute(payload)
    except InvalidWebhook:
        record_webhook(payload, "rejected_event")
        raise
    except Exception:
        record_webhook(payload, "failed")
        raise
    record_webhook(payload, "duplicate" if received.duplicate else "stored")
    # One line per delivery is the access log's (http.request.completed); this one, with
    # the event's id and type, is for debugging: the inbox row is the record.
    log.debug(
        "webhook.received",
        event_id=received.event_id,
        event_type=received.type,
        duplicate=received.duplicate,
    )
    wakeup = state.get(WORKER_WAKEUP)
    if isinstance(wakeup, asyncio.Event) and not received.duplicate:
        wakeup.set()
    return received.duplicate


@post(
    "/stripe",
    summary="Receive a Stripe webhook event",
    description=(
        "Verifies `Stripe-Signature` on the raw body, checks `livemode`, stores the event in "
        "the inbox by its id and commits before answering 200. A duplicate answers 200 with "
        "`duplicate: true`. Any event type is accepted (the workers ignore unknown ones)."
    ),
    status_code=200,
    responses={
        400: _problem("Bad or missing signature, old timestamp, not an event, wrong livemode"),
        413: _problem("Body larger than PORTAL_WEBHOOK_MAX_BYTES"),
        503: _problem("Database unavailable: not stored, Stripe will retry"),
    },
    tags=["webhooks"],
)
@inject
async def receive_stripe_webhook(
    request: Request[Any, Any, Any],
    verifier: FromDishka[StripeSignatureVerifier],
    clock: FromDishka[Clock],
    receive: FromDishka[ReceiveEvent],
) -> WebhookReceived:
    body = await request.body()
    signature = request.headers.get("stripe-signature")
    duplicate = await _ingest(body, signature, verifier, clock, receive, request.app.state)
    return WebhookReceived(received=True, duplicate=duplicate)


_ANSWERS = {
    duplicate: msgspec.json.encode(WebhookReceived(received=True, duplicate=duplicate))
    for duplicate in (False, True)
}


class WebhookRoute:
    """``POST /api/webhooks/stripe`` as a plain ASGI app; anything else goes to ``app``.

    ``container``: the app's dishka container; the verifier, the clock and the use case
    are app-scoped and resolved on the first delivery. ``state``: the Litestar app's state
    (the in-process worker's wake-up event).
    """

    def __init__(
        self, app: ASGIApp, container: AsyncContainer, state: State, *, max_bytes: int
    ) -> None:
        self._app, self._container, self._state = app, container, state
        self._max_bytes = max_bytes
        self._dependencies: tuple[StripeSignatureVerifier, Clock, ReceiveEvent] | None = None
        self._resolving = asyncio.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != ScopeType.HTTP
            or scope["path"] != WEBHOOK_PATH
            or scope.get("method") != "POST"
        ):
            await self._app(scope, receive, send)
            return
        # What request_context_middleware and metrics_middleware do for every other route,
        # done here in line: the request id (bound to the logs, echoed back), the access
        # line, the duration by route template.
        started = time.perf_counter()
        scope["path_template"] = WEBHOOK_PATH
        headers, given = read_headers(scope)
        request_id = request_id_from(given)
        scope.setdefault("state", {})["request_id"] = request_id
        tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 500  # unless an answer is sent
        try:
            status = await self._answer(scope, headers, receive, send, request_id)
        finally:
            duration = time.perf_counter() - started
            record_http_request("POST", WEBHOOK_PATH, status, duration)
            log_request_completed("POST", WEBHOOK_PATH, status, round(duration * 1000, 1))
            structlog.contextvars.reset_contextvars(**tokens)

    async def _answer(
        self,
        scope: Scope,
        headers: Mapping[bytes, bytes],
        receive: Receive,
        send: Send,
        request_id: str,
    ) -> int:
        """The status sent (500 when the client left before its body arrived)."""
        echoed = (REQUEST_ID_HEADER.encode(), request_id.encode("latin-1"))
        try:
            body = await self._body(headers, receive)
            signature = headers.get(b"stripe-signature")
            verifier, clock, use_case = await self.resolve()
            duplicate = await _ingest(
                body,
                None if signature is None else signature.decode("latin-1"),
                verifier,
                clock,
                use_case,
                self._state,
            )
        except ClientDisconnected:
            return 500
        except ApplicationError as error:
            return await send_problem(send, application_problem(error), echoed)
        except HTTPException as error:
            return await send_problem(send, http_problem(error), echoed)
        except Exception as error:
            return await send_problem(send, internal_problem(error), echoed)
        return await send_answer(send, 200, JSON, _ANSWERS[duplicate], echoed)

    async def resolve(self) -> tuple[StripeSignatureVerifier, Clock, ReceiveEvent]:
        """The route's dependencies (also called as the app starts, so that the first
        delivery does not pay for building them)."""
        if self._dependencies is None:
            async with self._resolving:
                if self._dependencies is None:
                    self._dependencies = (
                        await self._container.get(StripeSignatureVerifier),
                        await self._container.get(Clock),
                        await self._container.get(ReceiveEvent),
                    )
        return self._dependencies

    async def _body(self, headers: Mapping[bytes, bytes], receive: Receive) -> bytes:
        """The whole body; 413 as soon as it announces or reaches more than the cap."""
        announced = headers.get(b"content-length")
        if announced is not None and announced.isdigit() and int(announced) > self._max_bytes:
            raise RequestEntityTooLarge
        chunks, size, _ = await read_capped(receive, self._max_bytes)
        if size > self._max_bytes:
            raise RequestEntityTooLarge
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
