"""Time the portal and summary routes alone: ``python -m benchmarks.http_timing [rounds] [src ...]``.

What the bench's HTTP scenarios have (the sandbox backfilled into a fresh database, linked
bench users, the catalog applied, the Stripe stand-in, the bare ``SELECT 1`` app), then one
``billing-portal serve`` per source tree given (default: this one; ``/path/to/src`` runs
another checkout's code with this venv), all started at once. Each round runs ``SELECT 1``
and, for each tree, portal sessions and the summary, in an order rotated each round. Then,
per tree, portal sessions with Stripe answering after 200 ms (100 connections) and each
route at half its median peak. Prints req/s, the ratio to ``SELECT 1`` of the same round,
the serve processes' CPU per request (and PostgreSQL's), and p50/p99. ``HTTP_SECONDS`` (default 5) per run;
``HTTP_ONLY=portal`` or ``summary`` runs one route; ``HTTP_PROFILE=dir`` records py-spy
(8 s, every serve worker) during one extra full-rate run of each route per tree.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from benchmarks.environment import (
    BenchDatabase,
    bearer_token,
    bench_users,
    link_users_and_apply_catalog,
    sandbox_customers,
)
from benchmarks.ingest_timing import _by_command, _cmdline, _cpu_seconds
from benchmarks.load import LoadResult, RequestFile, run_wrk
from benchmarks.processes import HOST, VENV_BIN, free_port, process_tree
from benchmarks.scenarios import (
    INGEST_CONNECTIONS,
    SLOW_STRIPE_CONNECTIONS,
    SLOW_STRIPE_MS,
    _interleaved,
)
from benchmarks.stack import CLI, PYTHON, Stack, stopping

SRC = str(Path(__file__).resolve().parent.parent / "src")
PIDS: dict[str, list[int]] = {}
CPU: dict[tuple[str, str], list[float]] = {}  # (url, route) -> CPU us per request
PG_CPU: dict[tuple[str, str], list[float]] = {}  # the same, of every PostgreSQL process
LOGS: list[Path] = []  # the run's directory, for the serve logs when a run has errors


def _serve(stack: Stack, src: str, number: int) -> str:
    child = stack.serve_tree(src, number, stack.standin_url, os.environ.get("HTTP_PROCESSES", "2"))
    PIDS[child.url] = process_tree(child.pid)
    return child.url


def _run(url: str, route: str, requests: RequestFile, seconds: float, **kw: float) -> LoadResult:
    pids = PIDS.get(url, [])
    before = _cpu_seconds(pids)
    postgres = _by_command().get("postgres", 0.0)
    result = run_wrk(url, requests, seconds=seconds, **kw)  # type: ignore[arg-type]
    postgres = _by_command().get("postgres", 0.0) - postgres
    if result.errors:
        logs = sorted(Path(LOGS[0]).glob("api_*.log")) if LOGS else []
        tails = "\n".join(f"{log.name}: ...{log.read_text()[-3000:]}" for log in logs)
        raise RuntimeError(f"{url} {route}: {result.errors} errors\n{tails}")
    if result.requests and not kw.get("spacing_ms"):
        PG_CPU.setdefault((url, route), []).append(postgres * 1e6 / result.requests)
    if pids and result.requests and not kw.get("spacing_ms"):
        used = _cpu_seconds(pids) - before
        CPU.setdefault((url, route), []).append(used * 1e6 / result.requests)
    return result


def _profile(url: str, route: str, requests: RequestFile, out: Path, seconds: float) -> None:
    workers = [p for p in PIDS[url][1:] if "resource_tracker" not in _cmdline(p)]
    spies = [
        subprocess.Popen([str(VENV_BIN / "py-spy"), "record", "-r", "200", "-f", "raw", "-d", "8",
                          "--pid", str(pid), "-o", str(out / f"{route}_{pid}.txt")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for pid in workers
    ]  # fmt: skip
    time.sleep(0.5)
    result = run_wrk(url, requests, seconds=max(seconds, 10), connections=INGEST_CONNECTIONS)
    for spy in spies:
        spy.wait()
    print(f"  profiled {url} {route}: {result.rate:,.0f} req/s under py-spy", flush=True)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    sources = sys.argv[2:] or [SRC]
    seconds = float(os.environ.get("HTTP_SECONDS", "5"))
    only = os.environ.get("HTTP_ONLY")
    routes = [r for r in ("portal", "summary") if only in (None, r)]
    database = BenchDatabase(f"portal_http_{os.getpid()}")
    asyncio.run(database.create())
    try:
        with tempfile.TemporaryDirectory(prefix="portal-http-") as workdir:
            stack = Stack(Path(workdir), database, "", [], 2)
            LOGS.append(Path(workdir))
            with stopping(stack):
                env = stack.api_environment("http://127.0.0.1:9")
                subprocess.run([CLI, "db", "upgrade"], env=env, check=True, capture_output=True)
                port = free_port()
                sandbox = stack.start(
                    "sandbox", [PYTHON, "-m", "benchmarks.sandbox_server", str(port), "300"], env
                )
                sandbox.wait_listening(port, timeout=600)
                stack.sandbox_url = f"http://{HOST}:{port}"
                customers = sandbox_customers(stack.sandbox_url)
                sync_env = stack.api_environment(stack.sandbox_url)
                subprocess.run([CLI, "sync"], env=sync_env, check=True, capture_output=True)
                users = bench_users(customers, 100)
                link_users_and_apply_catalog(sync_env, users)
                stack.stop(sandbox)
                tokens = [bearer_token(user) for user in users]
                files = {
                    "portal": stack.bearer_file("portal", tokens, "POST", "/api/billing/portal-sessions"),
                    "summary": stack.bearer_file("summary", tokens, "GET", "/api/billing/summary"),
                }  # fmt: skip
                stack.start_services()  # the stand-in, an API we do not use, the baseline
                stack.stop(next(c for c in stack.children if c.name == "api"))
                urls = {src: _serve(stack, src, n) for n, src in enumerate(sources)}
                select1 = stack.plain_file("select1", "/select1")
                load = {"connections": INGEST_CONNECTIONS}
                for src in sources:  # warm up
                    for route in routes:
                        _run(urls[src], route, files[route], 1, **load)
                CPU.clear()
                PG_CPU.clear()
                runs: dict[tuple[str, str], list[LoadResult]] = {}
                ratios: dict[tuple[str, str], list[float]] = {}
                for number in range(rounds):
                    jobs = {"select1": partial(_run, stack.baseline_url, "select1", select1,
                                               seconds, **load)}  # fmt: skip
                    for src in sources:
                        for route in routes:
                            jobs[f"{route} {src}"] = partial(
                                _run, urls[src], route, files[route], seconds, **load
                            )
                    got = _interleaved(number, jobs)
                    line = [
                        f"round {number}: select1 {got['select1'].rate:,.0f} "
                        f"(PostgreSQL {PG_CPU[(stack.baseline_url, 'select1')][-1]:.0f} us)"
                    ]
                    for src in sources:
                        for route in routes:
                            r = got[f"{route} {src}"]
                            key = (src, route)
                            runs.setdefault(key, []).append(r)
                            ratios.setdefault(key, []).append(r.rate / got["select1"].rate)
                            line.append(
                                f"{route} {src}: {r.rate:,.0f} ({ratios[key][-1]:.2f}x, "
                                f"{CPU[(urls[src], route)][-1]:.0f} us CPU, PostgreSQL "
                                f"{PG_CPU[(urls[src], route)][-1]:.0f} us, p99 {r.p99_ms:.1f} ms)"
                            )
                    print("; ".join(line), flush=True)
                for src in sources:
                    for route in routes:
                        key = (src, route)
                        peak = statistics.median(r.rate for r in runs[key])
                        spacing = 1.5 * 1000 * INGEST_CONNECTIONS / max(peak, 1)
                        half = [
                            _run(urls[src], route, files[route], seconds * 2,
                                 connections=INGEST_CONNECTIONS, spacing_ms=spacing)
                            for _ in range(2)
                        ]  # fmt: skip
                        tails = ", ".join(
                            f"p50 {h.p50_ms:.1f} p99 {h.p99_ms:.1f} = {h.p99_ms / h.p50_ms:.1f}x"
                            for h in half
                        )
                        print(
                            f"{src} {route}: median {peak:,.0f} req/s, ratio "
                            f"{statistics.median(ratios[key]):.2f}x, "
                            f"{statistics.median(CPU[(urls[src], route)]):.0f} us CPU/request; "
                            f"half peak: {tails}",
                            flush=True,
                        )
                if "portal" in routes:
                    stack.set_stripe_latency(SLOW_STRIPE_MS)
                    try:
                        for number in range(rounds):
                            got = _interleaved(number, {
                                src: partial(_run, urls[src], "slow", files["portal"], seconds,
                                             connections=SLOW_STRIPE_CONNECTIONS)
                                for src in sources
                            })  # fmt: skip
                            print(f"slow Stripe round {number}: " + "; ".join(
                                f"{src}: {r.rate:,.0f} ({r.rate / 500:.2f}x of 500/s) p50 "
                                f"{r.p50_ms:.0f} p99 {r.p99_ms:.0f} ms, "
                                f"{CPU[(urls[src], 'slow')][-1]:.0f} us CPU"
                                for src, r in got.items()), flush=True)  # fmt: skip
                    finally:
                        stack.set_stripe_latency(0)
                if profile := os.environ.get("HTTP_PROFILE"):
                    for n, src in enumerate(sources):
                        out = Path(profile) / f"tree{n}"
                        out.mkdir(parents=True, exist_ok=True)
                        for route in routes:
                            _profile(urls[src], route, files[route], out, seconds)
    finally:
        asyncio.run(database.drop())


if __name__ == "__main__":
    main()
