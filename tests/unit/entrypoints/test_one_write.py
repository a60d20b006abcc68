"""uvicorn's protocol writing a response's head and body in one socket write
(entrypoints/http/one_write.py): the same bytes as uvicorn's own, in fewer writes."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from entrypoints.http.one_write import OneWriteHttpToolsProtocol


class FakeTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        assert not self.closed, "written after close"
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 5000)}.get(name, default)

    def pause_reading(self) -> None: ...

    def resume_reading(self) -> None: ...

    def set_protocol(self, protocol: Any) -> None: ...


async def _json(scope: Any, receive: Any, send: Any) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"2")],
        }
    )
    await send({"type": "http.response.body", "body": b"{}"})  # fmt: skip


async def _streamed(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await asyncio.sleep(0.01)  # the head must not wait for this
    await send({"type": "http.response.body", "body": b"ab", "more_body": True})
    await send({"type": "http.response.body", "body": b"c"})


async def _failing(scope: Any, receive: Any, send: Any) -> None:
    raise RuntimeError("boom")


async def serve(protocol_class: type[HttpToolsProtocol], app: Any, request: bytes) -> FakeTransport:
    config = Config(app=app, http=protocol_class, lifespan="off", log_level="critical")
    config.load()
    protocol = protocol_class(config=config, server_state=ServerState(), app_state={})
    transport = FakeTransport()
    protocol.connection_made(transport)  # type: ignore[arg-type]
    protocol.data_received(request)
    for _ in range(20):
        await asyncio.sleep(0.002)
    protocol.connection_lost(None)
    return transport


GET = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
HEAD = b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n"
CLOSE = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
TWO = GET + GET  # pipelined


@pytest.mark.parametrize(
    ("app", "request_", "writes"),
    [
        pytest.param(_json, GET, 1, id="head-and-body-once"),
        pytest.param(_json, HEAD, 1, id="head-only"),
        pytest.param(_json, CLOSE, 1, id="then-closed"),
        pytest.param(_json, TWO, 2, id="pipelined"),
        pytest.param(_streamed, GET, 3, id="streamed-head-not-held"),
        pytest.param(_failing, GET, 1, id="uvicorns-500"),
    ],
)
async def test_the_same_bytes_as_uvicorns_own_protocol(
    app: Any, request_: bytes, writes: int
) -> None:
    ours = await serve(OneWriteHttpToolsProtocol, app, request_)
    theirs = await serve(HttpToolsProtocol, app, request_)

    def without_date(data: bytes) -> bytes:
        return b"\r\n".join(line for line in data.split(b"\r\n") if not line.startswith(b"date:"))

    assert without_date(b"".join(ours.writes)) == without_date(b"".join(theirs.writes))
    assert b"".join(ours.writes).startswith(b"HTTP/1.1 ")
    assert len(ours.writes) == writes
    assert ours.closed == theirs.closed
