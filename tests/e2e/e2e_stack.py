"""`make run`'s stack as a subprocess on free loopback ports, for the browser tests.

``start_demo`` runs ``billing-portal demo`` (migrate, seed the sandbox, link the demo users,
apply the catalog, backfill the mirror, serve the page, the API and the sync worker);
``start_serve`` runs a bare ``billing-portal serve`` on an existing data directory, e.g.
one whose Stripe address answers nothing. Both wait for ``/readyz`` with a deadline and
stop with SIGINT, then SIGKILL.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar

REPO_ROOT = Path(__file__).resolve().parents[2]
CLI = REPO_ROOT / ".venv" / "bin" / "billing-portal"
START_TIMEOUT_SECONDS = 90.0
STOP_TIMEOUT_SECONDS = 15.0
SESSION_SECRET = "e2e-session-secret-only-for-browser-tests-0123456789"
SUPPORT_EMAIL = "help@billing.example"
T = TypeVar("T")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(
    probe: Callable[[], T | None], *, timeout: float, what: str, interval: float = 0.1
) -> T:
    """Poll ``probe`` until it returns something other than None/False, or fail at the
    deadline naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found is not None and found is not False:
            return found
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def _clean_environment(extra: Mapping[str, str]) -> dict[str, str]:
    # Nothing from the developer's shell (a real Stripe key, a Postgres URL) may leak in.
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PORTAL_", "STRIPE_"))
    }
    return {**inherited, "PYTHONUNBUFFERED": "1", **extra}


@dataclass
class Stack:
    """One running ``billing-portal`` process and where to reach it."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    data_dir: Path
    log_path: Path
    sandbox_url: str
    _log: IO[bytes] = field(repr=False)

    @property
    def app_url(self) -> str:
        """The page's address: PORTAL_APP_BASE_URL (return URLs are built on it)."""
        return f"http://localhost:{self.port}"

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    def log_tail(self, lines: int = 120) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            return f"(no log: {error})"
        return "\n".join(text.splitlines()[-lines:])

    def is_ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(
                f"{self.name} exited with {self.process.returncode} before it was ready:\n"
                f"{self.log_tail()}"
            )
        try:
            with urllib.request.urlopen(  # loopback only
                f"http://127.0.0.1:{self.port}/readyz", timeout=2
            ) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        self._log.close()


def _launch(
    name: str, command: list[str], data_dir: Path, env: dict[str, str], port: int, sandbox: str
) -> Stack:
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / f"{name}.log"
    log = log_path.open("wb")
    process = subprocess.Popen(  # a fixed argv, no shell
        command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    stack = Stack(name, process, port, data_dir, log_path, sandbox, log)
    try:
        wait_until(stack.is_ready, timeout=START_TIMEOUT_SECONDS, what=f"{name} /readyz")
    except BaseException:
        stack.stop()
        print(f"---- {name} log ----\n{stack.log_tail(400)}")
        raise
    return stack


def _settings(port: int, api_base: str, data_dir: Path, **extra: str) -> dict[str, str]:
    return _clean_environment(
        {
            "PORTAL_ENV": "development",
            "PORTAL_HOST": "127.0.0.1",
            "PORTAL_PORT": str(port),
            "PORTAL_APP_BASE_URL": f"http://localhost:{port}",
            "PORTAL_DATA_DIR": str(data_dir),
            "PORTAL_CATALOG_PATH": str(REPO_ROOT / "portal-configurations.toml"),
            "PORTAL_LOG_FORMAT": "json",
            "PORTAL_SESSION_SECRET": SESSION_SECRET,
            "PORTAL_SUPPORT_EMAIL": SUPPORT_EMAIL,
            "STRIPE_API_BASE": api_base,
            **extra,
        }
    )


def start_demo(data_dir: Path, **extra: str) -> Stack:
    """``billing-portal demo`` (what ``make run`` runs), on free ports; ``extra``: more
    (or other) variables."""
    port, sandbox_port = free_port(), free_port()
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    env = _settings(port, sandbox, data_dir, **extra)
    return _launch("demo", [str(CLI), "demo"], data_dir, env, port, sandbox)


def start_serve(data_dir: Path, stripe_api_base: str, **extra: str) -> Stack:
    """``billing-portal serve`` on ``data_dir``'s database, against ``stripe_api_base``."""
    port = free_port()
    env = _settings(port, stripe_api_base, data_dir, **extra)
    return _launch("serve", [str(CLI), "serve"], data_dir, env, port, stripe_api_base)
