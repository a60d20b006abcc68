"""``billing-portal serve --workers N``: N processes on one port, sharing what they must."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cli_harness import CATALOG

CLI = str(Path(sys.executable).with_name("billing-portal"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _environ(pid: int) -> dict[str, str]:
    pairs = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(p.decode().split("=", 1) for p in pairs if b"=" in p)


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "STRIPE_"))}
    env |= {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_CATALOG_PATH": str(CATALOG)}
    server = subprocess.Popen(
        [CLI, "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:  # until the server accepts connections, or gives up
            assert server.poll() is None, "serve exited"
            try:
                httpx.get(f"{url}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "serve did not answer within 60 s"
                time.sleep(0.1)
        yield server, url
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)


def test_two_processes_answer_on_one_port_with_one_page_session_secret(
    two_workers: tuple[subprocess.Popen[bytes], str],
) -> None:
    server, url = two_workers
    workers = _children(server.pid)

    answers = [httpx.get(f"{url}/healthz").status_code for _ in range(10)]

    assert answers == [200] * 10
    assert len(workers) >= 2
    # Development has no PORTAL_SESSION_SECRET: each process would draw its own random
    # one and refuse the others' cookies. serve draws one and hands it to every process.
    secrets = {_environ(pid).get("PORTAL_SESSION_SECRET") for pid in workers}
    assert len(secrets) == 1
    assert None not in secrets
