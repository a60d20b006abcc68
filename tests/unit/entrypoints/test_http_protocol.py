"""The server protocol's transport: a header block leaves with the body written after it."""

from __future__ import annotations

import asyncio

from entrypoints.http.http_protocol import _HeadersWithBody

HEADERS = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n"


class RecordingTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str) -> str:
        return f"extra:{name}"


async def test_headers_and_the_body_after_them_go_out_in_one_write() -> None:
    transport = RecordingTransport()
    wrapped = _HeadersWithBody(transport, asyncio.get_running_loop())  # type: ignore[arg-type]

    wrapped.write(HEADERS)
    assert transport.writes == []
    wrapped.write(b"{}")

    assert transport.writes == [HEADERS + b"{}"]
    await asyncio.sleep(0)
    assert transport.writes == [HEADERS + b"{}"]  # nothing left to flush


async def test_headers_without_a_body_in_the_same_step_leave_at_the_end_of_it() -> None:
    transport = RecordingTransport()
    wrapped = _HeadersWithBody(transport, asyncio.get_running_loop())  # type: ignore[arg-type]

    wrapped.write(HEADERS)  # a streamed response: its first chunk comes later
    await asyncio.sleep(0)

    assert transport.writes == [HEADERS]
    wrapped.write(b"chunk")
    assert transport.writes == [HEADERS, b"chunk"]


async def test_close_sends_held_headers_first_and_other_calls_reach_the_transport() -> None:
    transport = RecordingTransport()
    wrapped = _HeadersWithBody(transport, asyncio.get_running_loop())  # type: ignore[arg-type]

    wrapped.write(b"not a header block")
    wrapped.write(HEADERS)
    wrapped.close()

    assert transport.writes == [b"not a header block", HEADERS]
    assert transport.closed
    assert wrapped.get_extra_info("peername") == "extra:peername"
