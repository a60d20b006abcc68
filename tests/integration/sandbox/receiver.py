"""A webhook receiver for tests: a real HTTP server on 127.0.0.1 that records POSTs."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    body: bytes
    signature: str


@dataclass
class WebhookReceiver:
    """Records deliveries; answers 500 to the first ``fail_first`` of them."""

    url: str = ""
    fail_first: int = 0
    attempts: int = 0
    deliveries: list[Received] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Block until ``predicate()`` holds (re-checked on every delivery) or time runs out."""
        with self.changed:
            return self.changed.wait_for(predicate, timeout)

    def event_types(self) -> list[str]:
        import json

        return [json.loads(d.body)["type"] for d in self.deliveries]


@contextmanager
def webhook_receiver(fail_first: int = 0) -> Iterator[WebhookReceiver]:
    """Serve a :class:`WebhookReceiver` in a background thread."""
    receiver = WebhookReceiver(fail_first=fail_first)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with receiver.changed:
                receiver.attempts += 1
                failing = receiver.attempts <= receiver.fail_first
                if not failing:
                    receiver.deliveries.append(Received(body, self.headers["Stripe-Signature"]))
                receiver.changed.notify_all()
            self.send_response(500 if failing else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/webhooks/stripe"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
