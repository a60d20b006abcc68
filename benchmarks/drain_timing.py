"""Time the worker drain alone: ``python -m benchmarks.drain_timing [events] [src ...]``.

Sets up what the bench's drain scenario has (a fresh database, the sandbox with
``DRAIN_CUSTOMERS`` customers backfilled, bench users linked), then for each source tree
given (default: this one; ``/path/to/src`` runs another checkout's code with this venv,
``/path/to/src:200`` with ``PORTAL_WORKER_BATCH_SIZE=200``)
and for 1 and 2 ``billing-portal worker`` processes (``DRAIN_WORKERS=1,2``): inserts ``events`` fresh sandbox
events straight into ``webhook_events`` and times the workers until the inbox is empty.
Prints events/s per run; a run's rate is measured from its first processed event.

Every run starts from the same database (a copy of the synced one) and drains the same
events (``DRAIN_CYCLE`` picks them: the templates' n-th reuse, one second later each
time, as the bench's ingest rounds mint them): which events a run gets decides its work
(an event older than the synced mirror is skipped; the first copy of a card's event
queues an email, later ones do not; a second event of one object in the same second
reads the object from the sandbox), so runs given different events are not comparable.
With ``DRAIN_CYCLE=0`` or 1 whether the events are older than the mirror depends on how
long the sync took after the sandbox made them; ``DRAIN_CYCLE=300`` makes them all
newer (as the bench's later ingest rounds are), so the same-second events are read back.
``DRAIN_WINDOW`` seconds: measure that long (as the bench does) instead of until empty.
Each run also prints the workers' CPU time per event, which the other processes sharing
the machine disturb much less than the rate.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from benchmarks.environment import (
    BenchDatabase,
    bench_users,
    link_users_and_apply_catalog,
    sandbox_customers,
)
from benchmarks.processes import HOST, VENV_BIN, Child, free_port
from benchmarks.stack import CLI, PYTHON, Stack, stopping
from benchmarks.stripe_events import fetch_templates, mint_events

SRC = str(Path(__file__).resolve().parent.parent / "src")


async def _insert(dsn: str, events: list[dict[str, object]]) -> None:
    connection = await asyncpg.connect(dsn)
    now = datetime.now(UTC)
    rows = [
        (e["id"], e["type"], datetime.fromtimestamp(int(e["created"]), UTC),  # type: ignore[call-overload]
         False, json.dumps(e), "pending", 0, now)
        for e in events
    ]  # fmt: skip
    try:
        await connection.executemany(
            "INSERT INTO webhook_events (id, type, created, livemode, payload, status,"
            " attempts, received_at) VALUES ($1, $2, $3, $4, $5::json, $6, $7, $8)",
            rows,
        )
    finally:
        await connection.close()


async def _restore(database: BenchDatabase, template: str) -> None:
    """``database`` dropped and made again as a copy of ``template``."""
    await database.copy_of(template)


async def _count(dsn: str, query: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        return int(await connection.fetchval(query))
    finally:
        await connection.close()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


_RUNS = itertools.count(1)
_DONE = "SELECT count(*) FROM webhook_events WHERE status NOT IN ('pending', 'processing')"


async def _watch(
    stack: Stack,
    children: list[Child],
    src: str,
    run: int,
    workers: int,
    until: int,
    window: float,
) -> tuple[int, float, int, float, float, list[tuple[float, int]]]:
    """Poll the inbox (one connection, every 0.1 s: a connection per poll forked a server
    process 20 times a second on the workers' 2 cores) from before the first processed
    event until ``until`` are done or ``window`` seconds have passed. Returns the count
    at the first processed event, its time, the last count, the time taken, the workers'
    CPU seconds meanwhile, and (seconds, count) samples."""
    connection = await asyncpg.connect(stack.database.dsn)
    try:
        start = int(await connection.fetchval(_DONE))
        while (first := int(await connection.fetchval(_DONE))) == start:
            _check(stack, children)
            await asyncio.sleep(0.05)
        began = time.monotonic()
        cpu_began = sum(_cpu_seconds(c.pid) for c in children)
        if os.environ.get("DRAIN_PROFILE"):
            out = f"{os.environ['DRAIN_PROFILE']}/run{run}_{Path(src).parent.name}_{workers}.txt"
            subprocess.Popen([str(VENV_BIN / "py-spy"), "record", "-r", "200", "-f", "raw", "-d", "10",  # noqa: ASYNC220
                              "--pid", str(children[0].pid), "-o", out])  # fmt: skip
        timeline = [(0.0, first)]
        while (last := int(await connection.fetchval(_DONE))) < until:
            now = time.monotonic() - began
            timeline.append((now, last))
            if window and now >= window:
                break
            _check(stack, children)
            await asyncio.sleep(0.1)
        elapsed = time.monotonic() - began
        cpu = sum(_cpu_seconds(c.pid) for c in children) - cpu_began
        timeline.append((elapsed, last))
        return first, began, last, elapsed, cpu, timeline
    finally:
        await connection.close()


def _check(stack: Stack, children: list[Child]) -> None:
    if any(c.process.poll() is not None for c in children):
        raise RuntimeError("a worker exited; see its log in " + str(stack.workdir))


def _after_first_second(timeline: list[tuple[float, int]]) -> str:
    """The rate after the first second (the workers warmed up) next to the first's."""
    later = [(t, n) for t, n in timeline if t >= 1.0]
    if len(later) < 2:
        return "too short to split"
    (t0, n0), (t1, n1) = later[0], later[-1]
    first = n0 - timeline[0][1]
    return f"first {t0:.1f} s {first / t0:.0f} events/s, then {(n1 - n0) / (t1 - t0):.0f}"


def _run(
    stack: Stack, src: str, workers: int, events: int, minted: int, window: float = 0
) -> float:
    run = next(_RUNS)
    batch = list(mint_events(stack.templates, "drain", events, start=minted))
    asyncio.run(_insert(stack.database.dsn, batch))
    env = {**stack.api_environment(stack.sandbox_url)}
    env.update({k: v for k, v in os.environ.items() if k.startswith("PORTAL_WORKER_")})
    label = src
    src, _, batch_size = src.partition(":")  # /path/to/src:200 runs batches of 200
    env["PYTHONPATH"] = src
    if batch_size:
        env["PORTAL_WORKER_BATCH_SIZE"] = batch_size
    command = [PYTHON, "-c", "from entrypoints.cli.main import main; main()", "worker"]
    start = asyncio.run(_count(stack.database.dsn, _DONE))
    children = [stack.start(f"run{run}_w{workers}_{n}", command, env) for n in range(workers)]
    try:
        first, _, last, elapsed, cpu, timeline = asyncio.run(
            _watch(stack, children, src, run, workers, start + events, window)
        )
    finally:
        for child in children:
            stack.stop(child)
    if window:  # the events the window left: the next run starts from an empty inbox
        asyncio.run(_count(stack.database.dsn, "WITH gone AS (DELETE FROM webhook_events"
                           " WHERE status IN ('pending', 'processing') RETURNING 1)"
                           " SELECT count(*) FROM gone"))  # fmt: skip
    fell_back = sum(Path(c._log.name).read_text().count("worker.batch.fell_back") for c in children)
    failed = asyncio.run(
        _count(stack.database.dsn, "SELECT count(*) FROM webhook_events WHERE attempts > 0")
    )
    print(f"{label}: {workers} worker(s): {(last - first) / elapsed:7.1f} events/s"
          f" ({last - first} of {events} events in {elapsed:.1f} s, {failed} with failed attempts so far,"
          f" {fell_back} batches fell back; workers' CPU {1000 * cpu / max(last - first, 1):.2f}"
          f" ms/event, {100 * cpu / elapsed / workers:.0f}% busy each;"
          f" {_after_first_second(timeline)})", flush=True)  # fmt: skip
    return (last - first) / elapsed


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    sources = sys.argv[2:] or [SRC]
    customers = int(os.environ.get("DRAIN_CUSTOMERS", "300"))
    database = BenchDatabase(f"portal_drain_{os.getpid()}")
    synced = BenchDatabase(f"portal_drain_{os.getpid()}_synced")
    asyncio.run(database.create())
    try:
        with tempfile.TemporaryDirectory(prefix="portal-drain-") as workdir:
            stack = Stack(Path(workdir), database, "", [], 1)
            with stopping(stack):
                env = stack.api_environment("http://127.0.0.1:9")
                subprocess.run([CLI, "db", "upgrade"], env=env, check=True, capture_output=True)
                port = free_port()
                sandbox: Child = stack.start(
                    "sandbox",
                    [PYTHON, "-m", "benchmarks.sandbox_server", str(port), str(customers)],
                    env,
                )
                stack.sandbox_url = f"http://{HOST}:{port}"
                sandbox.wait_http(stack.sandbox_url + "/_sandbox/clock", timeout=600)
                print("sandbox up; backfilling the mirror", flush=True)
                sync_env = stack.api_environment(stack.sandbox_url)
                subprocess.run([CLI, "sync"], env=sync_env, check=True, capture_output=True)
                found = sandbox_customers(stack.sandbox_url)
                link_users_and_apply_catalog(sync_env, bench_users(found, 50))
                stack.templates = fetch_templates(stack.sandbox_url, "sk_test_sandbox", 3000)
                print("mirror synced, users linked", flush=True)
                asyncio.run(_restore(synced, database.name))  # the state every run starts from
                minted = int(os.environ.get("DRAIN_CYCLE", "0")) * len(stack.templates)
                window = float(os.environ.get("DRAIN_WINDOW", "0"))
                runs = [(int(n), events, window)
                        for n in os.environ.get("DRAIN_WORKERS", "1,2").split(",")]  # fmt: skip
                if os.environ.get("DRAIN_RUNS"):  # workers/events/window,...
                    runs = [(int(w), int(e), float(s)) for w, e, s in
                            (r.split("/") for r in os.environ["DRAIN_RUNS"].split(","))]  # fmt: skip
                for workers, count, seconds in runs:
                    for src in sources:
                        asyncio.run(_restore(database, synced.name))
                        _run(stack, src, workers, count, minted, seconds)
    finally:
        asyncio.run(database.drop())
        asyncio.run(synced.drop())


if __name__ == "__main__":
    main()
