"""The stripe SDK's HTTPX client, timing and counting every call by operation."""

from __future__ import annotations

import re
import ssl
import time
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
import stripe

from adapters.metrics.instruments import STRIPE_DURATION, STRIPE_REQUESTS
from adapters.stripe.keepalive_pool import KeepAlivePoolTransport

# An object id: a lowercase prefix, "_", then random characters with a digit or capital
# (cus_Nf3..., sub_1Q..., bpc_...). Resource words (payment_methods, billing_portal) have none.
_OBJECT_ID = re.compile(r"[a-z]+_[A-Za-z0-9_]*[A-Z0-9][A-Za-z0-9_]*")


def operation_of(method: str, url: str) -> str:
    """``POST /v1/customers/{id}``: the call's method and path with ids replaced."""
    segments = [
        "{id}" if _OBJECT_ID.fullmatch(part) else part for part in urlsplit(url).path.split("/")
    ]
    return f"{method.upper()} {'/'.join(segments) or '/'}"


def _proxies_from_environment() -> bool:
    """Whether HTTP(S)_PROXY or ALL_PROXY is set (httpx would send Stripe calls through it)."""
    return any(scheme != "no" for scheme in urllib.request.getproxies())


_DEFAULT_PORTS = {b"http": 80, b"https": 443}


def host_header(url: httpcore.URL) -> bytes:
    """``host[:port]`` as httpx sends it in ``Host`` (no port when it is the default)."""
    port = url.port
    if port is None or _DEFAULT_PORTS.get(url.scheme) == port:
        return url.host
    return b"%s:%d" % (url.host, port)


def result_of(status: int) -> str:
    if status < 400:
        return "ok"
    if status == 429:
        return "rate_limited"
    return "client_error" if status < 500 else "server_error"


# As many idle connections kept as may be open at once: httpx keeps 20 by default, so
# under more concurrent portal sessions than that every burst reconnected (a TLS handshake
# to Stripe each time) and closed the surplus again. KeepAlivePoolTransport also hands
# out a connection without walking all of them.
MAX_CONNECTIONS = 100


class MeteredHTTPXClient(stripe.HTTPXClient):
    """``stripe.HTTPXClient`` recording ``billing_portal_stripe_requests_total`` and the
    request duration; one sample per SDK call, its network retries included. Its pool
    keeps up to ``max_connections`` connections open, idle ones included."""

    def __init__(self, timeout: float = 80, *, max_connections: int = MAX_CONNECTIONS) -> None:
        super().__init__(timeout=timeout)
        # The SDK's own client, with the same certificate check but a pool of our size.
        verify: ssl.SSLContext | bool = False
        if self._verify_ssl_certs:
            verify = ssl.create_default_context(cafile=stripe.ca_bundle_path)
        self._transport: KeepAlivePoolTransport | None = None
        if _proxies_from_environment():  # httpx's own pool, which honours them
            limits = httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            )
            self._client_async = httpx.AsyncClient(verify=verify, limits=limits)
        else:
            self._transport = KeepAlivePoolTransport(verify=verify, max_connections=max_connections)
            self._client_async = httpx.AsyncClient(verify=verify, transport=self._transport)
        self._timeouts = httpx.Timeout(timeout).as_dict()

    @property
    def transport(self) -> KeepAlivePoolTransport | None:
        """The keep-alive transport requests go to (``None`` behind a proxy: httpx's)."""
        return self._transport

    @property
    def timeouts(self) -> dict[str, float | None]:
        """httpx's timeouts (``connect``, ``read``, ``write``, ``pool``) for each request."""
        return self._timeouts

    async def request_async(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any = None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        """The SDK's ``HTTPXClient.request_async`` without ``httpx.AsyncClient``'s layers
        (redirects, auth, cookies, event hooks: none of which a Stripe call uses, a tenth
        of a portal session's CPU): the request goes to the transport as it is."""
        if self._transport is None:
            return await super().request_async(method, url, headers, post_data)
        if isinstance(post_data, str):
            post_data = post_data.encode()
        try:
            target = httpcore.URL(url)
            # The headers httpx.Request would add: Host, and Content-Length for a body.
            sent = [(b"Host", host_header(target))]
            if post_data:
                sent.append((b"Content-Length", b"%d" % len(post_data)))
            sent += [(k.encode("ascii"), v.encode("ascii")) for k, v in headers.items()]
            status, raw_headers, content = await self._transport.exchange(
                method.upper().encode("ascii"), target, sent, post_data, self._timeouts
            )
        except Exception as e:  # as the SDK: any failure is a connection error
            self._handle_request_error(e)
        return content, status, httpx.Headers(raw_headers)

    async def request_with_retries_async(
        self,
        method: str,
        url: str,
        headers: Any,
        post_data: Any = None,
        max_network_retries: int | None = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[Any, int, Any]:
        operation = operation_of(method, url)
        started = time.perf_counter()
        result = "connection_error"
        try:
            response = await super().request_with_retries_async(
                method, url, headers, post_data, max_network_retries, _usage=_usage
            )
            result = result_of(response[1])
            return response
        finally:
            STRIPE_DURATION.labels(operation=operation).observe(time.perf_counter() - started)
            STRIPE_REQUESTS.labels(operation=operation, result=result).inc()
