"""Time the webhook ingest alone: ``python -m benchmarks.ingest_timing [rounds] [src ...]``.

What the bench's ingest scenario has (a fresh database, the sandbox's events as templates,
``pgbench_webhook_events``), then one ``billing-portal serve`` per source tree given
(default: this one; ``/path/to/src`` runs another checkout's code with this venv), all
started at once. Each round runs pgbench and new events against each tree, in an order
rotated each round (as ``ingest_rounds`` does), then each tree at half its median peak
(as ``half_peak`` does). Prints req/s, the ratio to pgbench of the same round, and
p50/p99. ``INGEST_SECONDS`` (default 5) per run; ``INGEST_PROFILE=dir`` records py-spy
(8 s, every serve worker process) during one extra full-rate run per tree.
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
from typing import Any

from benchmarks.environment import BenchDatabase
from benchmarks.load import LoadResult, run_pgbench, run_wrk
from benchmarks.pgbench_baseline import connection_args, create_copy, write_scripts
from benchmarks.processes import HOST, VENV_BIN, Child, free_port, process_tree
from benchmarks.scenarios import INGEST_CONNECTIONS, _interleaved
from benchmarks.stack import CLI, PYTHON, Stack, stopping
from benchmarks.stripe_events import fetch_templates

SRC = str(Path(__file__).resolve().parent.parent / "src")
MAX_RATE = 8000


def _serve(stack: Stack, src: str, number: int) -> str:
    child = stack.serve_tree(
        src, number, "http://127.0.0.1:9", os.environ.get("INGEST_PROCESSES", "2")
    )
    PIDS[child.url] = process_tree(child.pid)
    return child.url


def _truncate(stack: Stack) -> None:
    asyncio.run(stack.database.fetch_value("TRUNCATE webhook_events, pgbench_webhook_events"))


CPU: dict[str, list[float]] = {}  # url -> CPU microseconds of its serve processes per request
TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def _by_command() -> dict[str, float]:
    """CPU seconds of every process on the machine, summed by command name."""
    found: dict[str, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, tail = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        fields = tail.split()
        name = head.split("(", 1)[1]
        found[name] = found.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / TICK
    return found


def _new(
    stack: Stack, url: str, seconds: float, spacing_ms: float = 0.0, before_load: Any = None
) -> LoadResult:
    requests = stack.new_events_file("ingest", int(MAX_RATE * seconds))
    if before_load is not None:
        before_load()
    pids = PIDS.get(url, [])
    try:
        _truncate(stack)
        before = _cpu_seconds(pids)
        everyone = _by_command() if os.environ.get("INGEST_CPU_SPLIT") else {}
        result = run_wrk(url, requests, seconds=seconds, connections=INGEST_CONNECTIONS,
                         spacing_ms=spacing_ms)  # fmt: skip
        if not spacing_ms and result.requests:
            used = _cpu_seconds(pids) - before
            CPU.setdefault(url, []).append(used * 1e6 / result.requests)
            if everyone:
                after = _by_command()
                split = {k: after[k] - everyone.get(k, 0.0) for k in after}
                top = sorted(split.items(), key=lambda kv: -kv[1])[:6]
                print(
                    "  CPU us/request by command: "
                    + ", ".join(f"{k} {v * 1e6 / result.requests:.0f}" for k, v in top),
                    flush=True,
                )
    finally:
        requests.path.unlink()
    if result.errors or result.wrapped:
        raise RuntimeError(f"{url}: {result.errors} errors, wrapped {result.wrapped}")
    return result


PIDS: dict[str, list[int]] = {}


def _pgbench(stack: Stack, scripts: list[Path], seconds: float) -> LoadResult:
    _truncate(stack)
    return run_pgbench(connection_args(stack.database), scripts, seconds=seconds,
                       clients=INGEST_CONNECTIONS)  # fmt: skip


def _profile(stack: Stack, url: str, api: Child, out: Path, seconds: float) -> None:
    workers = [pid for pid in process_tree(api.pid) if pid != api.pid]
    # the server's own children: uvicorn's workers (skip multiprocessing's tracker)
    workers = [p for p in workers if "resource_tracker" not in _cmdline(p)]
    spies: list[subprocess.Popen[bytes]] = []

    def start() -> None:
        spies.extend(
            subprocess.Popen([str(VENV_BIN / "py-spy"), "record", "-r", "200", "-f", "raw",
                              "-d", "8", "--pid", str(pid), "-o", str(out / f"{out.name}_{pid}.txt")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for pid in workers
        )  # fmt: skip
        time.sleep(0.5)

    result = _new(stack, url, max(seconds, 10), before_load=start)
    for spy in spies:
        spy.wait()
    print(f"  profiled {url}: {result.rate:,.0f} req/s under py-spy", flush=True)


def _perf(stack: Stack, url: str, api: Child, out: Path, seconds: float) -> None:
    del api
    perfs: list[subprocess.Popen[bytes]] = []

    def start() -> None:
        perfs.append(subprocess.Popen(
            ["perf", "record", "-F", "499", "-g", "-o", str(out / "perf.data"), "-a", "--",
             "sleep", "8"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
        time.sleep(0.5)

    result = _new(stack, url, max(seconds, 10), before_load=start)
    perfs[0].wait()
    print(f"  perf {url}: {result.rate:,.0f} req/s", flush=True)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return ""


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    sources = sys.argv[2:] or [SRC]
    seconds = float(os.environ.get("INGEST_SECONDS", "5"))
    database = BenchDatabase(f"portal_ingest_{os.getpid()}")
    asyncio.run(database.create())
    try:
        with tempfile.TemporaryDirectory(prefix="portal-ingest-") as workdir:
            stack = Stack(Path(workdir), database, "", [], 2)
            with stopping(stack):
                env = stack.api_environment("http://127.0.0.1:9")
                subprocess.run([CLI, "db", "upgrade"], env=env, check=True, capture_output=True)
                port = free_port()
                sandbox = stack.start(
                    "sandbox", [PYTHON, "-m", "benchmarks.sandbox_server", str(port), "500"], env
                )
                sandbox.wait_listening(port, timeout=600)
                stack.templates = fetch_templates(f"http://{HOST}:{port}", "sk_test_sandbox", 3000)
                stack.stop(sandbox)
                asyncio.run(create_copy(database))
                scripts = write_scripts(Path(workdir), stack.templates)
                urls = {src: _serve(stack, src, n) for n, src in enumerate(sources)}
                apis = dict(zip(sources, stack.children[-len(sources) :], strict=True))
                _new(stack, urls[sources[0]], 1)  # warm up every process's connections
                for src in sources[1:]:
                    _new(stack, urls[src], 1)
                CPU.clear()
                runs: dict[str, list[LoadResult]] = {name: [] for name in ["pgbench", *sources]}
                for number in range(rounds):
                    got = _interleaved(number, {
                        "pgbench": partial(_pgbench, stack, scripts, seconds),
                        **{src: partial(_new, stack, urls[src], seconds) for src in sources},
                    })  # fmt: skip
                    line = [f"round {number}: pgbench {got['pgbench'].rate:,.0f} tps"]
                    for src in sources:
                        runs[src].append(got[src])
                        ratio = got[src].rate / got["pgbench"].rate
                        line.append(
                            f"{src}: {got[src].rate:,.0f} req/s ({ratio:.2f}x, "
                            f"{CPU[urls[src]][-1]:.0f} us CPU/req)"
                        )
                    runs["pgbench"].append(got["pgbench"])
                    print("; ".join(line), flush=True)
                for src in sources:
                    ratios = [
                        r.rate / p.rate for r, p in zip(runs[src], runs["pgbench"], strict=True)
                    ]
                    peak = statistics.median(r.rate for r in runs[src])
                    spacing = 1.5 * 1000 * INGEST_CONNECTIONS / max(peak, 1)
                    half = [_new(stack, urls[src], seconds * 2, spacing) for _ in range(2)]
                    tails = ", ".join(
                        f"{h.rate:,.0f} req/s p50 {h.p50_ms:.1f} ms p99 {h.p99_ms:.1f} ms "
                        f"= {h.p99_ms / h.p50_ms:.1f}x" for h in half
                    )  # fmt: skip
                    cpu = statistics.median(CPU[urls[src]])
                    print(f"{src}: median {peak:,.0f} req/s, {cpu:.0f} us CPU/request, ratio median "
                          f"{statistics.median(ratios):.2f}x; half peak: {tails}", flush=True)  # fmt: skip
                if profile := os.environ.get("INGEST_PROFILE"):
                    for n, src in enumerate(sources):
                        out = Path(profile) / f"tree{n}"
                        out.mkdir(parents=True, exist_ok=True)
                        _profile(stack, urls[src], apis[src], out, seconds)
                if perf_dir := os.environ.get("INGEST_PERF"):
                    for n, src in enumerate(sources):
                        out = Path(perf_dir) / f"tree{n}"
                        out.mkdir(parents=True, exist_ok=True)
                        _perf(stack, urls[src], apis[src], out, seconds)
    finally:
        asyncio.run(database.drop())


if __name__ == "__main__":
    main()
