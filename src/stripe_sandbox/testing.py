"""Run a sandbox server in-process, on a free loopback port, for tests and the demo."""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import uvicorn

from .http.app import build_store, create_sandbox_app
from .settings import SandboxSettings
from .store import SandboxStore


@dataclass(frozen=True)
class RunningSandbox:
    """A started server: its base URL (use it as Stripe's API base) and its store."""

    url: str
    store: SandboxStore
    settings: SandboxSettings


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running_sandbox(
    settings: SandboxSettings | None = None, *, port: int | None = None, startup_timeout: float = 10
) -> Iterator[RunningSandbox]:
    """Serve the sandbox on 127.0.0.1 in a background thread until the block ends.

    ``public_base_url`` is set to the chosen address. On exit the server shuts down
    gracefully, which also stops the webhook delivery thread.
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    settings = dataclasses.replace(settings or SandboxSettings(), public_base_url=url)
    store = build_store(settings)
    app = create_sandbox_app(settings, store)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"sandbox-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the sandbox did not start on {url}")
        time.sleep(0.01)
    try:
        yield RunningSandbox(url, store, settings)
    finally:
        server.should_exit = True
        thread.join(startup_timeout)
