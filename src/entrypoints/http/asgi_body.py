"""Reading a request body in the routes served as plain ASGI (webhooks, the billing fast
path), with the same cap Litestar applies."""

from __future__ import annotations

from litestar.types import Receive


class ClientDisconnected(Exception):
    """The client went away before its body arrived: there is nobody to answer."""


async def read_capped(receive: Receive, max_bytes: int) -> tuple[list[bytes], int, bool]:
    """The body's chunks as they came, their total size, and whether the body ended.

    Reading stops at the end of the body, or at the chunk that takes it past
    ``max_bytes`` (that chunk included: ``size > max_bytes`` then, and the caller decides
    between a 413 and handing what was read on). ``ClientDisconnected`` if the client
    leaves first."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        if message["type"] == "http.request":
            ended = not message.get("more_body", False)
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                chunks.append(chunk)
                if size > max_bytes:
                    return chunks, size, ended
            if ended:
                return chunks, size, True
