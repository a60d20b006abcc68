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

``exchange`` (the Stripe client's calls) goes further: its connections are ``_Wire``s, a
small HTTP/1.1 client on an asyncio protocol (one write per request; the response's
head, then a ``Content-Length`` or chunked body, or a body to the connection's end),
since httpcore's and h11's per-request machinery around the socket was ~15% of a portal
session's CPU. Its failures are httpx's exceptions, as httpcore's map to.
"""

from __future__ import annotations

import asyncio
import contextlib
import select
import ssl
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import Any

import httpcore
import httpx
from httpcore._backends.auto import AutoBackend

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
        self._wires = _WirePool(ssl_context, self._pool._slots, keepalive_expiry)

    async def exchange(
        self,
        method: bytes,
        url: httpcore.URL,
        headers: list[tuple[bytes, bytes]],
        body: bytes | None,
        timeouts: dict[str, float | None],
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """The response's status, headers and whole body, without the ``httpx.Request``
        and ``httpx.Response`` models around it (a sixth of a Stripe call's CPU), nor
        httpcore's connections (see the module's docstring). ``headers`` are sent as
        given (the caller adds ``Host`` and ``Content-Length``); ``timeouts`` as httpx's
        (``connect``, ``read``, ``pool``). Errors are httpx's exceptions."""
        return await self._wires.exchange(method, url, headers, body, timeouts)

    async def send(
        self,
        url: httpcore.URL,
        request: bytes,
        method: bytes,
        timeouts: dict[str, float | None],
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """``exchange`` of a request the caller wrote out whole: the request line, every
        header (``Host`` and ``Content-Length`` included, none with CR or LF), the empty
        line and the body, for ``url``'s origin (``http`` or ``https``). For a request
        whose head is mostly built once (``adapters/stripe/lean_post.py``)."""
        if url.scheme not in (b"http", b"https"):
            raise httpx.UnsupportedProtocol(f"unsupported scheme {url.scheme!r}")
        return await self._wires.send(url, request, method, timeouts)

    async def aclose(self) -> None:
        await self._wires.aclose()
        await super().aclose()


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


_MAX_HEAD = 64 * 1024  # a response head larger than this is refused, as h11 does


class _WirePool:
    """Idle ``_Wire``s on a stack per origin; in-flight requests bounded by ``slots``."""

    def __init__(
        self, ssl_context: ssl.SSLContext | None, slots: asyncio.Semaphore, keepalive: float
    ) -> None:
        self._ssl_context, self._slots, self._keepalive = ssl_context, slots, keepalive
        self._idle: dict[tuple[bytes, bytes, int], list[_Wire]] = {}

    async def exchange(
        self,
        method: bytes,
        url: httpcore.URL,
        headers: list[tuple[bytes, bytes]],
        body: bytes | None,
        timeouts: dict[str, float | None],
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        if url.scheme not in (b"http", b"https"):
            raise httpx.UnsupportedProtocol(f"unsupported scheme {url.scheme!r}")
        head = [b"%s %s HTTP/1.1\r\n" % (method, url.target)]
        for name, value in headers:
            if b"\n" in value or b"\r" in value or b"\n" in name or b"\r" in name:
                raise httpx.LocalProtocolError(f"illegal header value for {name!r}")
            head.append(b"%s: %s\r\n" % (name, value))
        head.append(b"\r\n")
        if body:
            head.append(body)
        return await self.send(url, b"".join(head), method, timeouts)

    async def send(
        self,
        url: httpcore.URL,
        request: bytes,
        method: bytes,
        timeouts: dict[str, float | None],
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """``exchange`` of a request already written out whole (its head and body, for
        ``url``'s origin), as the caller checked it."""
        if self._slots.locked():  # all in use: wait for one, at most the pool timeout
            try:
                await asyncio.wait_for(self._slots.acquire(), timeouts.get("pool"))
            except TimeoutError as error:
                raise httpx.PoolTimeout("no connection free within the pool timeout") from error
        else:
            await self._slots.acquire()
        try:
            key = (url.scheme, url.host, url.port or (443 if url.scheme == b"https" else 80))
            wire = self._take(key)
            if wire is None:
                wire = await _Wire.open(key, self._ssl_context, timeouts.get("connect"))
            try:
                answer = await wire.exchange(request, method, timeouts.get("read"))
            except BaseException:
                wire.close()
                raise
            if wire.reusable:
                wire.idle_since = time.monotonic()
                self._idle.setdefault(key, []).append(wire)
            else:
                wire.close()
            return answer
        finally:
            self._slots.release()

    def _take(self, key: tuple[bytes, bytes, int]) -> _Wire | None:
        idle = self._idle.get(key)
        if not idle:
            return None
        now = time.monotonic()
        while idle:
            wire = idle.pop()  # the most recently used: the least likely expired
            if wire.reusable and now - wire.idle_since < self._keepalive and wire.quiet():
                if idle and now - idle[0].idle_since >= self._keepalive:
                    idle.pop(0).close()  # the longest idle one, now and then
                return wire
            wire.close()
        return None

    async def aclose(self) -> None:
        idle, self._idle = self._idle, {}
        for wires in idle.values():
            for wire in wires:
                wire.close()


class _Wire(asyncio.Protocol):
    """One HTTP/1.1 connection: a request written whole, its response read whole."""

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._waiter: asyncio.Future[None] | None = None
        self._ended = False  # the server closed (or the connection broke)
        self.reusable = False
        self.idle_since = 0.0

    @classmethod
    async def open(
        cls,
        key: tuple[bytes, bytes, int],
        ssl_context: ssl.SSLContext | None,
        timeout: float | None,
    ) -> _Wire:
        scheme, host, port = key
        name = host.decode("ascii")
        tls = ssl_context if scheme == b"https" else None
        loop = asyncio.get_running_loop()
        try:
            _, wire = await asyncio.wait_for(
                loop.create_connection(
                    cls, name, port, ssl=tls, server_hostname=name if tls else None
                ),
                timeout,
            )
        except TimeoutError as error:
            raise httpx.ConnectTimeout(f"connecting to {name}:{port} timed out") from error
        except OSError as error:  # refused, unreachable, TLS failure (ssl.SSLError)
            raise httpx.ConnectError(str(error) or type(error).__name__) from error
        return wire

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        self._wake()

    def eof_received(self) -> bool:
        self._ended = True
        self.reusable = False
        self._wake()
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self._ended = True
        self.reusable = False
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def quiet(self) -> bool:
        """Nothing to read while idle, as httpcore checks before reusing a connection: a
        readable socket is the server's close (or bytes nobody asked for) that the event
        loop has not handled yet."""
        sock = self._transport.get_extra_info("socket") if self._transport else None
        if sock is None:
            return False
        try:
            return not select.select([sock.fileno()], [], [], 0)[0]
        except (OSError, ValueError):
            return False

    def close(self) -> None:
        self.reusable = False
        if self._transport is not None:
            self._transport.close()

    async def _more(self, deadline: float | None) -> None:
        """Wait for more bytes (or the end), at most until ``deadline`` (loop time)."""
        loop = asyncio.get_running_loop()
        self._waiter = waiter = loop.create_future()
        timer = None
        if deadline is not None:
            timer = loop.call_at(deadline, _expire, waiter)
        try:
            await waiter
        finally:
            self._waiter = None
            if timer is not None:
                timer.cancel()

    async def exchange(
        self, request: bytes, method: bytes, timeout: float | None
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        if self._ended or self._buffer or self._transport is None:
            raise httpx.RemoteProtocolError("the connection closed while idle")
        self.reusable = False
        self._transport.write(request)
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        try:
            return await self._response(method, deadline)
        except _Expired as error:
            raise httpx.ReadTimeout("the response did not arrive in time") from error

    async def _response(
        self, method: bytes, deadline: float | None
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        buffer = self._buffer
        while True:  # skip 1xx answers (Stripe sends none)
            end = buffer.find(b"\r\n\r\n")
            while end < 0:
                if len(buffer) > _MAX_HEAD:
                    raise httpx.RemoteProtocolError("the response head is too large")
                if self._ended:
                    raise httpx.RemoteProtocolError(
                        "Server disconnected without sending a response."
                    )
                await self._more(deadline)
                end = buffer.find(b"\r\n\r\n")
            lines = bytes(buffer[:end]).split(b"\r\n")
            del buffer[: end + 4]
            version, status = _status_line(lines[0])
            if not 100 <= status < 200:
                break
        headers: list[tuple[bytes, bytes]] = []
        length: int | None = None
        chunked = False
        keep_alive = version == b"HTTP/1.1"
        for line in lines[1:]:
            name, colon, value = line.partition(b":")
            if not colon or not name or name != name.strip():
                raise httpx.RemoteProtocolError("malformed response header")
            value = value.strip()
            headers.append((name, value))
            lower = name.lower()
            if lower == b"content-length":
                if not value.isdigit() or (length is not None and length != int(value)):
                    raise httpx.RemoteProtocolError("bad Content-Length")
                length = int(value)
            elif lower == b"transfer-encoding":
                chunked = value.lower().endswith(b"chunked")
            elif lower == b"connection":
                tokens = {t.strip() for t in value.lower().split(b",")}
                if b"close" in tokens:
                    keep_alive = False
                elif b"keep-alive" in tokens and version == b"HTTP/1.0":
                    keep_alive = True
        if method == b"HEAD" or status in (204, 304):
            body = b""
        elif chunked:
            body = await self._chunked(deadline)
        elif length is not None:
            while len(buffer) < length:
                if self._ended:
                    raise httpx.RemoteProtocolError("Server disconnected before the body's end.")
                await self._more(deadline)
            body = bytes(buffer[:length])
            del buffer[:length]
        else:  # the body runs to the connection's end
            while not self._ended:
                await self._more(deadline)
            body = bytes(buffer)
            buffer.clear()
            keep_alive = False
        self.reusable = keep_alive and not self._ended and not buffer
        return status, headers, body

    async def _chunked(self, deadline: float | None) -> bytes:
        buffer = self._buffer
        parts: list[bytes] = []
        while True:
            end = buffer.find(b"\r\n")
            while end < 0:
                if self._ended:
                    raise httpx.RemoteProtocolError("Server disconnected inside a chunk.")
                await self._more(deadline)
                end = buffer.find(b"\r\n")
            size_text = bytes(buffer[:end]).split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError as error:
                raise httpx.RemoteProtocolError("bad chunk size") from error
            del buffer[: end + 2]
            if size == 0:  # the trailers (if any), then the empty line
                while (end := buffer.find(b"\r\n")) != 0:
                    if end > 0:
                        del buffer[: end + 2]
                        continue
                    if self._ended:
                        raise httpx.RemoteProtocolError("Server disconnected inside a trailer.")
                    await self._more(deadline)
                del buffer[:2]
                return b"".join(parts)
            while len(buffer) < size + 2:
                if self._ended:
                    raise httpx.RemoteProtocolError("Server disconnected inside a chunk.")
                await self._more(deadline)
            parts.append(bytes(buffer[:size]))
            del buffer[: size + 2]


class _Expired(Exception):
    """A read's deadline passed."""


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(_Expired())


def _status_line(line: bytes) -> tuple[bytes, int]:
    version, _, rest = line.partition(b" ")
    code = rest[:3]
    if version not in (b"HTTP/1.1", b"HTTP/1.0") or not code.isdigit():
        raise httpx.RemoteProtocolError(f"malformed status line {line[:40]!r}")
    return version, int(code)


def _key(origin: httpcore.Origin) -> tuple[bytes, bytes, int]:
    return (origin.scheme, origin.host, origin.port)


async def _close_quietly(connection: httpcore.AsyncHTTPConnection) -> None:
    with contextlib.suppress(Exception):
        await connection.aclose()
