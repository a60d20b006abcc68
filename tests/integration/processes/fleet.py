"""Real ``billing-portal serve`` and ``billing-portal worker`` processes on one PostgreSQL.

Each process is a subprocess of the installed CLI with its own log file, on a free loopback
port; the test starts, kills (SIGKILL) and stops (SIGTERM) them one by one. Readiness is
polled with a deadline: an API is ready when ``/readyz`` answers 200, a worker when its
"started" line is in its log. Stripe is never reached: the events carry everything the
handlers need, and ``STRIPE_API_BASE`` points at a port nothing listens on.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

REPO_ROOT = Path(__file__).resolve().parents[3]
CLI = REPO_ROOT / ".venv" / "bin" / "billing-portal"
WEBHOOK_SECRET = "whsec_processes_tests_signing_secret"
START_SECONDS = 60.0
STOP_SECONDS = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(probe: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll ``probe`` every 50 ms until it holds; fail naming ``what`` at the deadline."""
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


async def until(probe: Callable[[], bool], *, within: float, what: str) -> None:
    """``wait_for`` for a test that keeps other tasks running meanwhile (the probe runs in
    a thread: it may block for a moment on a socket)."""
    deadline = time.monotonic() + within
    while not await asyncio.to_thread(probe):
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {within:.0f} s waiting for {what}")
        await asyncio.sleep(0.05)


@dataclass
class Process:
    """One running ``billing-portal`` command and its log."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    port: int | None = None
    _log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.popen.poll() is None

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        """``kill -9``: no handler runs, nothing is released or flushed."""
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=STOP_SECONDS)
        self._close()

    async def exited(self) -> int:
        """Wait (off the event loop) for the process to exit; its code."""
        try:
            return await asyncio.to_thread(self.popen.wait, STOP_SECONDS)
        finally:
            self._close()

    def terminate(self) -> int:
        """SIGTERM, then the exit code (SIGKILL after ``STOP_SECONDS`` fails the test)."""
        self.popen.send_signal(signal.SIGTERM)
        try:
            code = self.popen.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=STOP_SECONDS)
            raise AssertionError(f"{self.name} ignored SIGTERM for {STOP_SECONDS:.0f} s") from None
        finally:
            self._close()
        return code

    def _close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def is_ready(self) -> bool:
        if not self.running:
            raise AssertionError(
                f"{self.name} exited with {self.popen.returncode}:\n{self.log_text()[-4000:]}"
            )
        if self.port is None:
            return f"worker {self.name} started" in self.log_text()
        try:
            with urllib.request.urlopen(f"{self.url}/readyz", timeout=2) as response:  # loopback
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False


class Fleet:
    """API processes and workers sharing ``database_url``; emails land in ``mail_dir``."""

    def __init__(self, database_url: str, directory: Path, **settings: str) -> None:
        self.database_url, self.directory = database_url, directory
        self.mail_dir = directory / "mail"
        self.processes: list[Process] = []
        self._settings = settings
        self._started = 0

    def environment(self) -> dict[str, str]:
        inherited = {
            k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "STRIPE_"))
        }
        return {
            **inherited,
            "PYTHONUNBUFFERED": "1",
            "PORTAL_ENV": "development",
            "PORTAL_DATA_DIR": str(self.directory),
            "PORTAL_DATABASE_URL": self.database_url,
            "PORTAL_CATALOG_PATH": str(REPO_ROOT / "portal-configurations.toml"),
            "STRIPE_SECRET_KEY": "sk_test_processes_never_reaches_stripe",
            "STRIPE_API_BASE": f"http://127.0.0.1:{free_port()}",  # nothing listens there
            "STRIPE_MAX_NETWORK_RETRIES": "0",
            "STRIPE_WEBHOOK_SECRETS": WEBHOOK_SECRET,
            "PORTAL_JWT_SECRET": "processes-tests-hs256-secret-of-32-bytes",
            "PORTAL_SESSION_SECRET": "processes-tests-page-session-secret-32b",
            "PORTAL_MAIL_BACKEND": "file",
            "PORTAL_MAIL_DIR": str(self.mail_dir),
            "PORTAL_LOG_FORMAT": "json",
            "PORTAL_LOG_LEVEL": "INFO",
            "PORTAL_WORKER_POLL_SECONDS": "0.2",
            **self._settings,
        }

    def _launch(self, name: str, argv: list[str], port: int | None) -> Process:
        self._started += 1
        log_path = self.directory / f"{self._started:02}-{name}.log"
        log = log_path.open("wb")
        popen = subprocess.Popen(  # a fixed argv, no shell
            [str(CLI), *argv], cwd=REPO_ROOT, env=self.environment(),
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        process = Process(name, popen, log_path, port, log)
        self.processes.append(process)
        return process

    def start_api(self, name: str) -> Process:
        port = free_port()
        return self._launch(
            name, ["serve", "--workers", "1", "--host", "127.0.0.1", "--port", str(port)], port
        )

    def start_worker(self, name: str) -> Process:
        return self._launch(name, ["worker", "--worker-id", name], None)

    def wait_ready(self, *processes: Process) -> None:
        for process in processes:
            wait_for(process.is_ready, timeout=START_SECONDS, what=f"{process.name} to be ready")

    def started(self, *, apis: int = 0, workers: int = 0, prefix: str = "") -> list[Process]:
        """Start ``apis`` API processes and ``workers`` workers at once; wait for all."""
        found = [self.start_api(f"{prefix}api-{n}") for n in range(1, apis + 1)]
        found += [self.start_worker(f"{prefix}worker-{n}") for n in range(1, workers + 1)]
        self.wait_ready(*found)
        return found

    def stop_all(self) -> None:
        """SIGTERM every live process; SIGKILL what does not exit (teardown)."""
        for process in self.processes:
            if process.running:
                process.popen.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.popen.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait(timeout=STOP_SECONDS)
            process._close()

    def mail_files(self) -> list[Path]:
        return sorted(self.mail_dir.glob("*.eml")) if self.mail_dir.exists() else []
