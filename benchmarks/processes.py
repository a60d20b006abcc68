"""Child processes of a benchmark run: start, wait until they answer, measure, stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx

HOST = "127.0.0.1"
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class Child:
    """A process whose output goes to ``log``; ``stop`` sends SIGTERM, then SIGKILL."""

    def __init__(self, name: str, command: list[str], env: Mapping[str, str], log: Path) -> None:
        self.name = name
        self.url = ""  # where it answers HTTP, when it does
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            command, env=dict(env), stdout=self._log, stderr=subprocess.STDOUT
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_listening(self, port: int, timeout: float = 120) -> None:
        """Return once the process accepts TCP connections on ``port`` (it listens only
        after its start-up work): no request, so nothing queues behind a slow route."""
        self._wait_until(
            lambda: socket.create_connection((HOST, port), timeout=2).close(),
            OSError, f"did not listen on {port}", timeout,
        )  # fmt: skip

    def wait_http(self, url: str, timeout: float = 120) -> None:
        """Return once ``url`` answers (any status); fail if the process dies first."""
        self._wait_until(
            lambda: httpx.get(url, timeout=2), httpx.TransportError, f"did not answer at {url}",
            timeout,
        )  # fmt: skip

    def _wait_until(
        self,
        attempt: Callable[[], object],
        failure: type[Exception],
        what: str,
        timeout: float,
    ) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode}; see its log"
                )
            try:
                attempt()
                return
            except failure:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.name} {what}") from None
                time.sleep(0.2)  # a harness polling a starting server, not a test

    def stop(self, timeout: float = 30) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux /proc)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found += process_tree(int(child))
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of one process in MB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def clean_environment() -> dict[str, str]:
    """This environment without any PORTAL_*/STRIPE_* variable, so nothing in the shell
    (a real STRIPE_SECRET_KEY above all) reaches the processes under test."""
    return {
        k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "STRIPE_", "BENCH_"))
    }
