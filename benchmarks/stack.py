"""The system under test and its baselines, as child processes of the run."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from benchmarks.environment import WEBHOOK_SECRET, BenchDatabase, app_environment
from benchmarks.load import RequestFile, write_request_file
from benchmarks.processes import HOST, VENV_BIN, Child, clean_environment, free_port
from benchmarks.stripe_events import mint_events, signed_lines

CLI = str(VENV_BIN / "billing-portal")
PYTHON = str(VENV_BIN / "python")


@dataclass
class Stack:
    """Everything a scenario talks to; ``children`` are stopped when the run ends."""

    workdir: Path
    database: BenchDatabase
    sandbox_url: str
    templates: list[dict[str, object]]
    serve_processes: int
    children: list[Child] = field(default_factory=list)
    api_url: str = ""
    baseline_url: str = ""
    standin_url: str = ""
    _minted: int = 0

    def start(self, name: str, command: list[str], env: dict[str, str]) -> Child:
        child = Child(name, command, env, self.workdir / f"{name}.log")
        self.children.append(child)
        return child

    def stop(self, child: Child) -> None:
        child.stop()
        self.children.remove(child)

    def stop_baseline(self) -> None:
        for child in [c for c in self.children if c.name == "baseline"]:
            self.stop(child)

    def api_environment(self, stripe_base: str) -> dict[str, str]:
        return app_environment(self.database, stripe_base, self.workdir / "data")

    def start_services(self) -> Child:
        """The Stripe stand-in, the API and the bare baseline app; returns the API."""
        port = free_port()
        standin = self.start("standin", [PYTHON, "-m", "benchmarks.stripe_standin", str(port)],
                             clean_environment())  # fmt: skip
        self.standin_url = f"http://{HOST}:{port}"
        standin.wait_http(self.standin_url + "/_standin/delay?ms=0")
        port = free_port()
        env = {**self.api_environment(self.standin_url), "PORTAL_PORT": str(port)}
        api = self.start("api", [CLI, "serve", *self._serve_options()], env)
        self.api_url = f"http://{HOST}:{port}"
        api.wait_http(self.api_url + "/readyz")
        port = free_port()
        baseline_env = {**clean_environment(), "BENCH_BASELINE_DSN": self.database.dsn}
        baseline = self.start(
            "baseline",
            [PYTHON, "-m", "benchmarks.baseline_serve", HOST, str(port),
             str(self.serve_processes)],
            baseline_env,
        )  # fmt: skip
        self.baseline_url = f"http://{HOST}:{port}"
        baseline.wait_http(self.baseline_url + "/select1")
        return api

    def serve_tree(self, src: str, number: int, stripe_base: str, processes: str) -> Child:
        """``billing-portal serve --workers processes`` running the code of the source
        tree ``src`` with this venv (another checkout's, to compare two back to back),
        answering at ``child.url``."""
        port = free_port()
        env = {**self.api_environment(stripe_base), "PORTAL_PORT": str(port), "PYTHONPATH": src}
        command = [PYTHON, "-c", "from entrypoints.cli.main import main; main()", "serve",
                   "--workers", processes]  # fmt: skip
        child = self.start(f"api_{number}", command, env)
        child.url = f"http://{HOST}:{port}"
        child.wait_http(child.url + "/readyz")
        return child

    def _serve_options(self) -> list[str]:
        return ["--workers", str(self.serve_processes)]

    def set_stripe_latency(self, ms: int) -> None:
        httpx.post(f"{self.standin_url}/_standin/delay?ms={ms}").raise_for_status()

    def new_events_file(self, name: str, count: int) -> RequestFile:
        """``count`` events never sent before, signed now."""
        events = mint_events(self.templates, "bench", count, start=self._minted)
        self._minted += count
        path = self.workdir / f"{name}.txt"
        write_request_file(path, list(signed_lines(events, WEBHOOK_SECRET, int(time.time()))))
        return RequestFile(path, "POST", "/api/webhooks/stripe", "Stripe-Signature", count)

    def bearer_file(self, name: str, tokens: list[str], method: str, path: str) -> RequestFile:
        body = json.dumps({}).encode() if method == "POST" else b""
        file = self.workdir / f"{name}.txt"
        write_request_file(file, [(token, body) for token in tokens])
        return RequestFile(file, method, path, "Authorization", len(tokens))

    def plain_file(self, name: str, path: str) -> RequestFile:
        file = self.workdir / f"{name}.txt"
        write_request_file(file, [("bench", b"")])
        return RequestFile(file, "GET", path, "X-Bench", 1)

    def close(self) -> None:
        for child in reversed(self.children):
            with contextlib.suppress(Exception):
                child.stop()
        self.children.clear()


@contextlib.contextmanager
def stopping(stack: Stack) -> Iterator[Stack]:
    try:
        yield stack
    finally:
        stack.close()
