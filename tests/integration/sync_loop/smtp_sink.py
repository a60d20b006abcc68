"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it accepts."""

from __future__ import annotations

import email
import email.message
import email.policy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller

from stripe_sandbox.testing import free_port


class SmtpSink:
    """``go_down`` stops the server (connections are refused); ``come_back`` starts it again
    on the same port. While ``busy``, it answers every message with a temporary 451."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[email.message.EmailMessage] = []
        self.port = 0
        self.controller: Controller | None = None
        self.busy = False

    def go_down(self) -> None:
        assert self.controller is not None, "the SMTP server is already down"
        self.controller.stop()
        self.controller = None

    def come_back(self) -> None:
        assert self.controller is None, "the SMTP server is already up"
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()  # a stopped Controller cannot start again: a new one

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        if self.busy:
            return "451 4.3.0 Mail server busy, try again later"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self._messages.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted"

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        with self._lock:
            return list(self._messages)


@contextmanager
def running_smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.port = free_port()
    sink.controller = None
    sink.come_back()
    try:
        yield sink
    finally:
        if sink.controller is not None:
            sink.go_down()
