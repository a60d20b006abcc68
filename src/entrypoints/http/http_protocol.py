"""uvicorn's httptools protocol, writing each short answer with one ``send`` instead of two.

uvicorn writes a response's status line and headers as soon as the app starts the
response, then the body: two system calls (and two loopback segments for the client to
wake up for) for an answer of a few hundred bytes. On the webhook route they were a fifth
of the server's time under load (docs/PERFORMANCE.md). Here the header block waits for the
body written right after it and both go out together; when no body follows in the same
step (a streamed response), the headers leave at the end of the event loop's iteration.
Nothing else changes: every other write, close and flow-control call is the transport's.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class _HeadersWithBody:
    """A transport that holds a lone HTTP header block until the next write."""

    __slots__ = ("_held", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport, self._loop = transport, loop
        self._held: bytes | None = None

    def write(self, data: bytes) -> None:
        held = self._held
        if held is not None:
            self._held = None
            self._transport.write(held + data)
        elif data.startswith(b"HTTP/1.1 ") and data.endswith(b"\r\n\r\n"):
            self._held = data
            self._loop.call_soon(self.flush)
        else:
            self._transport.write(data)

    def flush(self) -> None:
        held = self._held
        if held is not None:
            self._held = None
            if not self._transport.is_closing():
                self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """``uvicorn --http entrypoints.http.http_protocol:CoalescingHttpToolsProtocol``."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        wrapped = _HeadersWithBody(transport, self.loop)
        super().connection_made(wrapped)  # type: ignore[arg-type]
