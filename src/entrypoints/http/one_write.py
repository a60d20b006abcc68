"""uvicorn's httptools protocol, writing a response's head and its body in one socket write.

uvicorn writes the status line and headers as ``http.response.start`` arrives and the body
as ``http.response.body`` does: two ``send`` calls on the socket for every answer, the
second ~4% of the CPU of ``GET /api/billing/summary`` (docs/PERFORMANCE.md). Here the head
is held until the body's first write, which carries both; a head with no body in the same
step of the event loop (a streamed answer waiting for its first chunk) is written at the
next step. Nothing else changes: uvicorn's own ``send`` builds and checks every byte.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle


class _Hold:
    """Stands in for the transport while uvicorn writes a response's head: keeps it."""

    __slots__ = ("data",)

    def __init__(self) -> None:
        self.data: bytes | None = None

    def write(self, data: bytes) -> None:
        self.data = data


class _HeadFirst:
    """Stands in for the transport while uvicorn writes the body: the held head goes in
    front of the first write (or alone, before a close)."""

    __slots__ = ("head", "transport")

    def __init__(self, transport: Any, head: bytes) -> None:
        self.transport, self.head = transport, head

    def write(self, data: bytes) -> None:
        head, self.head = self.head, None
        self.transport.write(data if head is None else b"".join((head, data)))

    def flush(self) -> None:
        head, self.head = self.head, None
        if head is not None:
            self.transport.write(head)

    def close(self) -> None:
        self.flush()
        self.transport.close()


class OneWriteCycle(RequestResponseCycle):
    """``RequestResponseCycle`` whose head waits for the body's first write."""

    _head: bytes | None = None

    async def send(self, message: Any) -> None:
        transport = self.transport
        if self.flow.write_paused or self.disconnected:
            self._flush_head()  # uvicorn waits for the socket to drain, or drops the rest
            await super().send(message)
            return
        if message["type"] == "http.response.start" and not self.response_started:
            hold = _Hold()
            self.transport = hold  # type: ignore[assignment]
            try:
                await super().send(message)
            finally:
                self.transport = transport
            if hold.data is not None:
                self._head = hold.data
                asyncio.get_running_loop().call_soon(self._flush_head)
            return
        head = self._head
        if head is None:
            await super().send(message)
            return
        self._head = None
        first = _HeadFirst(transport, head)
        self.transport = first  # type: ignore[assignment]
        try:
            await super().send(message)
        finally:
            self.transport = transport
            if first.head is not None and not transport.is_closing():
                first.flush()  # no body was written (HEAD, or a failed send)

    def _flush_head(self) -> None:
        head, self._head = self._head, None
        if head is not None and not self.transport.is_closing():
            self.transport.write(head)


class OneWriteHttpToolsProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` running each request in a ``OneWriteCycle``."""

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
        cycle.__class__ = OneWriteCycle  # uvicorn builds it by name: the class is swapped
        super()._start_asgi_task(cycle, app)
