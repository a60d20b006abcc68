"""``billing-portal serve`` and ``billing-portal worker`` as real processes on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
CLI = REPO_ROOT / ".venv" / "bin" / "billing-portal"
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0
WEBHOOK_SECRET = "whsec_fault_tests_only_0123456789abcdef"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def service_environment(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """A clean environment (nothing PORTAL_/STRIPE_ from the shell) for a test key, a
    Stripe address where nothing listens, and short worker leases."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PORTAL_", "STRIPE_"))
    }
    return {
        **inherited,
        "PYTHONUNBUFFERED": "1",
        "PORTAL_ENV": "development",
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_DATA_DIR": str(data_dir),
        "PORTAL_CATALOG_PATH": str(REPO_ROOT / "portal-configurations.toml"),
        "STRIPE_SECRET_KEY": "sk_test_fault_tests_never_sent_anywhere",
        "STRIPE_API_BASE": "http://127.0.0.1:9",
        "STRIPE_WEBHOOK_SECRETS": WEBHOOK_SECRET,
        "PORTAL_JWT_SECRET": "fault-tests-hs256-secret-of-at-least-32-bytes",
        "PORTAL_SESSION_SECRET": "fault-tests-page-session-secret-of-32-bytes",
        "PORTAL_MAIL_BACKEND": "file",
        "PORTAL_LOG_FORMAT": "json",
        "PORTAL_LOG_LEVEL": "INFO",
        **extra,
    }


@dataclass
class ServiceProcess:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self, lines: int = 60) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)


@contextmanager
def running(
    name: str, args: list[str], env: Mapping[str, str], log_dir: Path
) -> Iterator[ServiceProcess]:
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # a fixed argv, no shell
            [str(CLI), *args], cwd=REPO_ROOT, env=dict(env), stdout=log, stderr=subprocess.STDOUT
        )
        service = ServiceProcess(name, process, log_path)
        try:
            yield service
        finally:
            service.stop()


def wait_for_log_line(service: ServiceProcess, text: str) -> None:
    """Poll the process's log until ``text`` appears (e.g. the worker's "started")."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while text not in service.log_text():
        if not service.alive():
            raise AssertionError(f"{service.name} exited early:\n{service.log_tail()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{service.name} never logged {text!r}:\n{service.log_tail()}")
        time.sleep(0.1)  # polling the log with a deadline


def wait_until_ready(service: ServiceProcess, port: int) -> None:
    """Poll ``/readyz`` until it answers 200, failing with the log at the deadline."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        if not service.alive():
            raise AssertionError(f"{service.name} exited early:\n{service.log_tail()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{service.name} was not ready in time:\n{service.log_tail()}")
        time.sleep(0.1)  # polling /readyz with a deadline
