# ruff: noqa: ASYNC109  (the network classes take httpcore's timeout parameters)
"""An httpx transport whose keep-alive pool hands out a connection in constant time.

httpcore's ``AsyncConnectionPool`` walks every connection it holds on each request and
again on each response's close, and for each idle one builds the list of all of them and
asks the socket whether it is readable (anyio builds a dict of attributes per ask): with
50 connections open to a Stripe answering in 200 ms that was a third of the portal
route's CPU (docs/PERFORMANCE.md). Here idle connections wait on a stack per origin: a
request takes the most recently used one (checking that one only), or opens a new one;
the response's close puts it back. Everything else is httpcore's and httpx's own: each
connection is an ``httpcore.AsyncHTTPConnection`` (HTTP/1.1, TLS, timeouts), and the
transport is ``httpx.AsyncHTTPTransport`` (request mapping, exception mapping).

httpcore writes a request's headers and its body with one socket send each; the
connections here hold what is written until the response is read, so a request costs
one send (the two sends were a tenth of a portal session's CPU).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import Any

import httpcore
import httpx
from httpcore._backends.auto import AutoBackend
from httpx._transports.default import map_httpcore_exceptions

KEEPALIVE_EXPIRY_SECONDS = 5.0  # httpx's default


class KeepAlivePoolTransport(httpx.AsyncHTTPTransport):
    """``httpx.AsyncHTTPTransport`` (no proxy) with at most ``max_connections`` requests in
    flight and every connection kept once opened until it expires or the server closes it."""

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | bool = True,
        max_connections: int = 100,
        keepalive_expiry: float = KEEPALIVE_EXPIRY_SECONDS,
    ) -> None:
        super().__init__(verify=verify, limits=httpx.Limits(max_connections=max_connections))
        ssl_context = self._pool._ssl_context  # the one httpx built from ``verify``
        self._pool: Any = _StackPool(ssl_context, max_connections, keepalive_expiry)

    async def exchange(
        self, request: httpcore.Request
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """The response's status, headers and whole body, without the ``httpx.Request``
        and ``httpx.Response`` models around it (a sixth of a Stripe call's CPU); errors
        are httpx's, as ``handle_async_request`` raises them."""
        with map_httpcore_exceptions():
            response = await self._pool.handle_async_request(request)
            try:
                parts = [part async for part in response.stream]
            finally:
                await response.aclose()
        body = parts[0] if len(parts) == 1 else b"".join(parts)
        return response.status, response.headers, body


class _StackPool:
    """What ``httpx.AsyncHTTPTransport`` needs of its httpcore pool."""

    def __init__(
        self, ssl_context: ssl.SSLContext | None, max_connections: int, keepalive_expiry: float
    ) -> None:
        self._ssl_context = ssl_context
        self._keepalive_expiry = keepalive_expiry
        self._backend = _CoalescingBackend()
        self._slots = asyncio.Semaphore(max_connections)
        # By (scheme, host, port): httpcore.Origin is not hashable.
        self._idle: dict[tuple[bytes, bytes, int], list[httpcore.AsyncHTTPConnection]] = {}

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        if request.url.scheme not in (b"http", b"https"):
            raise httpcore.UnsupportedProtocol(f"unsupported scheme {request.url.scheme!r}")
        timeouts = request.extensions.get("timeout", {})
        if self._slots.locked():  # all in use: wait for one, at most the pool timeout
            try:
                await asyncio.wait_for(self._slots.acquire(), timeouts.get("pool"))
            except TimeoutError as error:
                raise httpcore.PoolTimeout("no connection free within the pool timeout") from error
        else:
            await self._slots.acquire()
        origin = request.url.origin
        try:
            while True:
                connection = await self._take(origin)
                try:
                    response = await connection.handle_async_request(request)
                except httpcore.ConnectionNotAvailable:
                    continue  # it was closing meanwhile: another one
                except BaseException:
                    await _close_quietly(connection)
                    raise
                break
        except BaseException:
            self._slots.release()
            raise
        stream = _Returning(response.stream, lambda: self._give_back(origin, connection))
        return httpcore.Response(
            status=response.status,
            headers=response.headers,
            content=stream,
            extensions=response.extensions,
        )

    async def _take(self, origin: httpcore.Origin) -> httpcore.AsyncHTTPConnection:
        idle = self._idle.get(_key(origin))
        while idle:
            connection = idle.pop()  # the most recently used: the least likely expired
            if connection.is_idle() and not connection.has_expired():
                if idle and idle[0].has_expired():  # the longest idle one, now and then
                    await _close_quietly(idle.pop(0))
                return connection
            await _close_quietly(connection)
        return httpcore.AsyncHTTPConnection(
            origin=origin,
            ssl_context=self._ssl_context,
            keepalive_expiry=self._keepalive_expiry,
            network_backend=self._backend,
        )

    def _give_back(self, origin: httpcore.Origin, connection: httpcore.AsyncHTTPConnection) -> None:
        self._slots.release()
        if not connection.is_idle() or connection.is_closed():
            return  # httpcore closed it (not reusable, or the body was not read to its end)
        self._idle.setdefault(_key(origin), []).append(connection)

    async def aclose(self) -> None:
        idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                await _close_quietly(connection)

    async def __aenter__(self) -> _StackPool:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()


class _Returning(AsyncIterable[bytes]):
    """A response body that gives its connection back once closed (httpx closes it after
    reading it, or on error)."""

    def __init__(self, stream: Any, give_back: Any) -> None:
        self._stream, self._give_back = stream, give_back
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for part in self._stream:
            yield part

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if hasattr(self._stream, "aclose"):
                await self._stream.aclose()
        finally:
            self._give_back()


class _CoalescingBackend(httpcore.AsyncNetworkBackend):
    """httpcore's own backend, whose streams send a request in one write.

    The ``timeout`` parameters are httpcore's interface (ASYNC109 does not apply)."""

    def __init__(self) -> None:
        self._backend = AutoBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._backend.connect_tcp(
            host, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )
        return _CoalescingStream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._backend.connect_unix_socket(
            path, timeout=timeout, socket_options=socket_options
        )
        return _CoalescingStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class _CoalescingStream(httpcore.AsyncNetworkStream):
    """Holds written bytes until the next read (or TLS start, or close): an HTTP/1.1
    client writes the whole request, then reads the response. A failed send surfaces on
    that read, as a connection error all the same."""

    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream
        self._pending: list[bytes] = []
        self._timeout: float | None = None

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if buffer:
            self._pending.append(buffer)
            self._timeout = timeout

    async def _flush(self) -> None:
        if self._pending:
            data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
            self._pending = []
            await self._stream.write(data, self._timeout)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        await self._flush()
        return await self._stream.read(max_bytes, timeout)

    async def aclose(self) -> None:
        self._pending = []
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        await self._flush()
        stream = await self._stream.start_tls(ssl_context, server_hostname, timeout)
        return _CoalescingStream(stream)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


def _key(origin: httpcore.Origin) -> tuple[bytes, bytes, int]:
    return (origin.scheme, origin.host, origin.port)


async def _close_quietly(connection: httpcore.AsyncHTTPConnection) -> None:
    with contextlib.suppress(Exception):
        await connection.aclose()
