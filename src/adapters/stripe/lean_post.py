"""``POST /v1/billing_portal/sessions`` without the Stripe SDK's per-request machinery.

Every portal session is one Stripe call, and the SDK's own work around it (options
merged, headers and the client user-agent JSON built, the body encoded, telemetry, its
retry loop, the response parsed into ``OrderedDict``s and a ``StripeObject``) was two
thirds of that call's CPU, the network part a third (docs/PERFORMANCE.md). Here the
request's head is built once from the SDK's own ``request_headers`` (the key, the pinned
``Stripe-Version``, ``User-Agent``, ``X-Stripe-Client-User-Agent``, the form content type),
each request adds its ``Content-Length`` and ``Idempotency-Key``, and goes to the same
keep-alive wires (``KeepAlivePoolTransport.send``); a 2xx answer is decoded by msgspec.

What stays the SDK's:
- the body's form encoding (``_api_encode``, as ``_APIRequestor`` encodes a v1 POST);
- retries: the same count (``max_network_retries``), the same rule (a connection error or
  timeout; ``Stripe-Should-Retry``; a 409 or 5xx), the same backoff (``_sleep_time_seconds``,
  ``sleep_async``), the same idempotency key on every try;
- failures: a connection error is ``_handle_request_error``'s ``APIConnectionError``, a
  non-2xx answer the error ``_interpret_response`` builds from its body, a 2xx body that
  is not a session is read as the SDK reads it; so ``stripe_errors`` maps them as before;
- the metrics (``billing_portal_stripe_requests_total`` and the duration, one sample per
  call, retries included, by operation and result), as ``MeteredHTTPXClient`` records them.

Not sent: ``X-Stripe-Client-Telemetry`` (the SDK's report of the previous call's latency,
optional). Used only with a ``MeteredHTTPXClient`` on its own transport (no proxy) and a
client without ``stripe_account``/``stripe_context``; otherwise ``of`` gives ``None`` and
the caller uses the SDK, as it does when an SDK release moved one of the private helpers
used here (``sdk_internals``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpcore
import httpx
import msgspec
import stripe

from adapters.metrics.instruments import STRIPE_DURATION, STRIPE_REQUESTS
from adapters.stripe import sdk_internals as sdk
from adapters.stripe.metered_http_client import (
    MeteredHTTPXClient,
    host_header,
    operation_of,
    result_of,
)
from application.ports.billing_provider import PortalSession

SESSIONS_PATH = "/v1/billing_portal/sessions"


class _Session(msgspec.Struct):
    id: str
    url: str


_SESSION = msgspec.json.Decoder(_Session)


def form_body(params: Mapping[str, Any]) -> bytes:
    """``params`` form-encoded exactly as the SDK sends a v1 POST (brackets left literal)."""
    encoded = urlencode(list(sdk.api_encode(params)))
    return encoded.replace("%5B", "[").replace("%5D", "]").encode("ascii")


class LeanPortalSessions:
    """Creates portal sessions on ``client``'s transport (see the module's docstring)."""

    def __init__(
        self,
        client: stripe.StripeClient,
        http: MeteredHTTPXClient,
        head: bytes,
        middle: bytes,
        url: httpcore.URL,
    ) -> None:
        self._requestor = client._requestor
        self._http = http
        self._head, self._middle, self._url = head, middle, url
        retries = client._requestor._options.max_network_retries
        self._max_retries = retries if retries is not None else 0
        # The metric's label as the metered client writes it (the base's path included);
        # its series made at the first call, as there.
        self._operation = operation_of("post", str(url.target, "ascii"))
        self._duration: Any = None
        self._counted: dict[str, Any] = {}

    @classmethod
    def of(cls, client: stripe.StripeClient) -> LeanPortalSessions | None:
        """For ``client``, or ``None`` when its calls must go through the SDK."""
        wire = lean_wire(client, "post")
        if wire is None:
            return None
        try:
            url = httpcore.URL(wire.base + SESSIONS_PATH)
        except (UnicodeError, httpcore.UnsupportedProtocol, ValueError):
            return None
        if url.scheme not in (b"http", b"https"):
            return None
        head = b"POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: " % (url.target, host_header(url))
        return cls(client, wire.http, head, b"\r\n" + wire.lines + b"Idempotency-Key: ", url)

    async def create(self, params: Mapping[str, Any], idempotency_key: str) -> PortalSession:
        """The session for ``params``; raises the SDK's ``stripe.StripeError``s."""
        started = time.perf_counter()
        result = "connection_error"
        try:
            status, headers, body = await self._exchange(params, idempotency_key)
            result = result_of(status)
        finally:
            if self._duration is None:
                self._duration = STRIPE_DURATION.labels(operation=self._operation)
            self._duration.observe(time.perf_counter() - started)
            counter = self._counted.get(result)
            if counter is None:
                counter = self._counted[result] = STRIPE_REQUESTS.labels(
                    operation=self._operation, result=result
                )
            counter.inc()
        if 200 <= status < 300 and not says(headers, b"stripe-notice"):
            try:
                session = _SESSION.decode(body)
            except (msgspec.DecodeError, msgspec.ValidationError):
                pass  # read as the SDK reads it, below
            else:
                return PortalSession(id=session.id, url=session.url)
        return self._as_the_sdk_reads(params, status, headers, body)

    def _as_the_sdk_reads(
        self,
        params: Mapping[str, Any],
        status: int,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
    ) -> PortalSession:
        """The SDK's reading of an answer: its error for a non-2xx (or a 2xx that is not
        JSON), its ``StripeObject`` otherwise (a notice is warned about first)."""
        mapping = httpx.Headers(headers)
        sdk.maybe_emit_stripe_notice(mapping)
        response = self._requestor._interpret_response(body, status, mapping, "V1")
        session: Any = sdk.convert_to_stripe_object(
            resp=response, params=params, requestor=self._requestor, api_mode="V1"
        )
        return PortalSession(id=session.id, url=session.url)

    async def _exchange(
        self, params: Mapping[str, Any], idempotency_key: str
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """The answer to the last try, as the SDK's retry loop decides the tries."""
        body = form_body(params)  # before the tries, as the SDK encodes it
        return await exchange_with_retries(
            self._http,
            self._max_retries,
            self._url,
            b"POST",
            lambda: self._request(body, idempotency_key),
        )

    def _request(self, body: bytes, idempotency_key: str) -> bytes:
        if breaks_line(idempotency_key):
            raise httpx.LocalProtocolError("illegal header value for b'Idempotency-Key'")
        key = idempotency_key.encode("ascii")
        return b"%s%d%s%s\r\n\r\n%s" % (self._head, len(body), self._middle, key, body)


@dataclass(frozen=True, slots=True)
class LeanWire:
    """What a lean path needs of a client: its metered HTTP client (on its own transport),
    its API base address, and the SDK's headers for one method as header lines."""

    http: MeteredHTTPXClient
    base: str
    lines: bytes


def lean_wire(client: stripe.StripeClient, method: str) -> LeanWire | None:
    """The client's wire for ``method`` calls, or ``None`` when its calls must go through
    the SDK: an SDK without the private helpers used here, a client on another HTTP
    client or a proxy, without a key, for a connected account or a context, with extra
    headers, without an API base, or with headers that cannot be sent as they are."""
    if not sdk.AVAILABLE:
        return None
    requestor = client._requestor
    http = requestor._client
    if not isinstance(http, MeteredHTTPXClient) or http.transport is None:
        return None
    options = sdk.merge_options(requestor._options, None)
    if options.get("api_key") is None or options.get("stripe_account"):
        return None
    if options.get("stripe_context") or options.get("headers"):
        return None
    base = requestor._options.base_addresses.get("api")
    if not base:
        return None
    headers = dict(requestor.request_headers(method, "V1", options))  # type: ignore[arg-type]
    headers.pop("Idempotency-Key", None)  # a POST's is the caller's
    if any(breaks_line(text) for item in headers.items() for text in item):
        return None  # the SDK's own client says what is wrong with it
    try:
        lines = b"".join(
            b"%s: %s\r\n" % (name.encode("ascii"), value.encode("ascii"))
            for name, value in headers.items()
        )
    except UnicodeError:
        return None
    return LeanWire(http, base, lines)


async def exchange_with_retries(
    http: MeteredHTTPXClient,
    max_retries: int,
    url: httpcore.URL,
    method: bytes,
    build: Callable[[], bytes],
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """The answer to the last try of the request ``build`` writes out (once), on ``http``'s
    own transport, as the SDK's retry loop decides the tries: the same count, rule and
    backoff; a failure to build or send is the SDK's ``APIConnectionError``."""
    transport = http.transport
    assert transport is not None
    request: bytes | None = None
    tries = 0
    while True:
        error: stripe.APIConnectionError | None = None
        try:
            if request is None:
                request = build()
            answer = await transport.send(url, request, method, http.timeouts)
        except Exception as failure:  # as the SDK: any failure is a connection error
            try:
                http._handle_request_error(failure)
            except stripe.APIConnectionError as connection_error:
                error = connection_error
        if tries >= max_retries:
            retry = False
        elif error is not None:
            retry = bool(error.should_retry)
        else:
            retry = _should_retry(answer[0], answer[1])
        if not retry:
            if error is not None:
                raise error
            return answer
        tries += 1
        await http.sleep_async(http._sleep_time_seconds(tries))  # type: ignore[no-untyped-call]


def _values(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    """The header's values joined as ``httpx.Headers`` joins them, or None."""
    found = [value for key, value in headers if key.lower() == name]
    return b", ".join(found) if found else None


def says(headers: list[tuple[bytes, bytes]], name: bytes) -> bool:
    return any(key.lower() == name for key, _ in headers)


def _should_retry(status: int, headers: list[tuple[bytes, bytes]]) -> bool:
    """``HTTPClient._should_retry`` for an answer (the tries left already checked)."""
    said = _values(headers, b"stripe-should-retry")
    if said == b"false":
        return False
    if said == b"true":
        return True
    return status == 409 or status >= 500


def breaks_line(text: str) -> bool:
    return "\r" in text or "\n" in text
