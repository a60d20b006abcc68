"""``GET /v1/...`` as raw JSON without the Stripe SDK's per-request machinery.

The mirror's reads (a backfill's pages, a worker's read-backs of the objects its events
name) go through ``StripeClient.raw_request_async``. Its own work around each call (the
options merged, the headers and the client user-agent JSON built, telemetry, the answer
parsed by the standard library's ``json`` into a ``StripeResponse``) was a third of a
10,000-customer backfill's CPU, ``json`` alone 18% (docs/PERFORMANCE.md). Here, as for
portal sessions (``lean_post``), the head is built once from the SDK's own
``request_headers`` for a GET, the query is encoded as the SDK encodes it, the request
goes to the same keep-alive wires with the SDK's retry rule, backoff and metrics, and a
2xx JSON object is decoded by msgspec.

What stays the SDK's: the path check (``validate_path``), the query's encoding
(``_api_encode``, brackets left literal), the retries, every failure (a non-2xx answer,
or a 2xx that is not a JSON object, is read by ``_interpret_response`` as the SDK reads it)
and a ``Stripe-Notice`` warning. A call with request options (``stripe_account``,
``headers``...), a ``base``, a query already in the path or a method other than GET is
the SDK's own call. ``of`` gives ``None`` when the client's calls must all go through the
SDK (a proxy, a connected account, or an SDK release without one of the private helpers
used here: ``sdk_internals``), as ``LeanPortalSessions.of`` does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpcore
import httpx
import msgspec
import stripe

from adapters.metrics.instruments import STRIPE_DURATION, STRIPE_REQUESTS
from adapters.stripe import sdk_internals as sdk
from adapters.stripe.lean_post import breaks_line, exchange_with_retries, lean_wire, says
from adapters.stripe.metered_http_client import (
    MeteredHTTPXClient,
    host_header,
    operation_of,
    result_of,
)


@dataclass(frozen=True, slots=True)
class RawAnswer:
    """What the callers read of the SDK's ``StripeResponse``: the JSON and the headers
    (names in lower case, as ``httpx.Headers`` gives them)."""

    data: dict[str, Any]
    headers: dict[str, str]


_OBJECT = msgspec.json.Decoder(dict[str, Any])


class LeanGets:
    """``await gets("get", path, **params)``, a drop-in for ``client.raw_request_async``."""

    def __init__(
        self, client: stripe.StripeClient, http: MeteredHTTPXClient, base: str, lines: bytes
    ) -> None:
        self._client = client
        self._requestor = client._requestor
        self._http = http
        self._base = base
        self._origin = httpcore.URL(base + "/")
        self._host = host_header(self._origin)
        self._lines = lines
        retries = client._requestor._options.max_network_retries
        self._max_retries = retries if retries is not None else 0
        self._series: dict[tuple[str, str], Any] = {}
        self._durations: dict[str, Any] = {}

    @classmethod
    def of(cls, client: stripe.StripeClient) -> LeanGets | None:
        """For ``client``, or ``None`` when its calls must go through the SDK."""
        wire = lean_wire(client, "get")
        if wire is None:
            return None
        try:
            origin = httpcore.URL(wire.base + "/")
        except (UnicodeError, httpcore.UnsupportedProtocol, ValueError):
            return None
        if origin.scheme not in (b"http", b"https") or origin.target != b"/":
            return None  # a base with a path of its own: the SDK joins it
        return cls(client, wire.http, wire.base, wire.lines)

    async def __call__(self, method: str, path: str, **params: Any) -> Any:
        """The answer to ``GET path?params`` (the SDK's ``StripeResponse`` when the SDK
        read it); raises the SDK's ``stripe.StripeError``s."""
        options, _ = sdk.extract_options_from_dict(params)
        if method != "get" or options or "base" in params or "?" in path or not path.isascii():
            return await self._client.raw_request_async(method, path, **params)
        sdk.validate_path(path)
        query = urlencode(list(sdk.api_encode(params))).replace("%5B", "[").replace("%5D", "]")
        target = f"{path}?{query}" if query else path
        operation = operation_of("get", self._base + path)
        started = time.perf_counter()
        result = "connection_error"
        try:
            status, headers, body = await exchange_with_retries(
                self._http, self._max_retries, self._origin, b"GET", lambda: self._request(target)
            )
            result = result_of(status)
        finally:
            self._count(operation, result, time.perf_counter() - started)
        if 200 <= status < 300 and not says(headers, b"stripe-notice"):
            try:
                data = _OBJECT.decode(body)
            except (msgspec.DecodeError, msgspec.ValidationError):
                pass  # read as the SDK reads it, below
            else:
                return RawAnswer(
                    data, {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in headers}
                )
        mapping = httpx.Headers(headers)
        sdk.maybe_emit_stripe_notice(mapping)
        return self._requestor._interpret_response(body, status, mapping, "V1")

    def _request(self, target: str) -> bytes:
        if breaks_line(target) or " " in target:
            raise httpx.LocalProtocolError(f"invalid request target {target!r}")
        return b"GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n" % (
            target.encode("ascii"),
            self._host,
            self._lines,
        )

    def _count(self, operation: str, result: str, seconds: float) -> None:
        """One sample per call, retries included, as ``MeteredHTTPXClient`` records them."""
        duration = self._durations.get(operation)
        if duration is None:
            duration = self._durations[operation] = STRIPE_DURATION.labels(operation=operation)
        duration.observe(seconds)
        counter = self._series.get((operation, result))
        if counter is None:
            counter = self._series[(operation, result)] = STRIPE_REQUESTS.labels(
                operation=operation, result=result
            )
        counter.inc()
