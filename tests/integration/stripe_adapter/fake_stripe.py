"""A tiny real HTTP server that records what the Stripe SDK sends and replays canned JSON
(or, for a stalled reply, holds the request unanswered until ``release_stalled``)."""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class RecordedRequest:
    """One request as seen by the server: decoded query or form ``params``, lowercase headers."""

    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]


@dataclass(frozen=True)
class CannedReply:
    status: int
    body: Any
    headers: dict[str, str]
    stalled: bool = False  # answer nothing until released (a Stripe that hangs)


STALL_CAP_SECONDS = 30.0  # a stalled request is answered after this even if never released


class FakeStripe:
    """Replies, per method and path, in the order they were queued; records every request."""

    def __init__(self, port: int = 0) -> None:
        self._lock = threading.Lock()
        self._replies: dict[tuple[str, str], deque[CannedReply]] = defaultdict(deque)
        self._released = threading.Event()
        self.requests: list[RecordedRequest] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self._replies.clear()
            self.requests.clear()

    def reply(
        self,
        method: str,
        path: str,
        body: Any,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        with self._lock:
            self._replies[(method, path)].append(CannedReply(status, body, headers or {}))

    def stall(self, method: str, path: str, *, times: int = 1) -> None:
        """The next ``times`` requests to ``path`` get no answer until ``release_stalled``."""
        stalled = CannedReply(504, {"error": {"type": "api_error"}}, {}, stalled=True)
        with self._lock:
            self._replies[(method, path)].extend([stalled] * times)

    def release_stalled(self) -> None:
        self._released.set()

    def unused_replies(self) -> list[tuple[str, str]]:
        with self._lock:
            return [route for route, queue in self._replies.items() if queue]

    def _next_reply(self, request: RecordedRequest) -> CannedReply:
        with self._lock:
            self.requests.append(request)
            queue = self._replies.get((request.method, request.path))
            if queue:
                return queue.popleft()
        missing = f"fake stripe: no reply queued for {request.method} {request.path}"
        return CannedReply(418, {"error": {"type": "api_error", "message": missing}}, {})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else url.query
                request = RecordedRequest(
                    method=self.command,
                    path=url.path,
                    params=dict(parse_qsl(raw, keep_blank_values=True)),
                    headers={k.lower(): v for k, v in self.headers.items()},
                )
                reply = fake._next_reply(request)
                if reply.stalled:
                    fake._released.wait(STALL_CAP_SECONDS)
                payload = json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.send_header("Request-Id", f"req_fake{len(fake.requests)}")
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client gave up waiting (a stalled reply)
                    pass

            do_GET = do_POST = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
