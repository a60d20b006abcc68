"""Time the worker drain alone: ``python -m benchmarks.drain_timing [events] [src ...]``.

Sets up what the bench's drain scenario has (a fresh database, the sandbox with
``DRAIN_CUSTOMERS`` customers backfilled, bench users linked), then for each source tree
given (default: this one; ``/path/to/src`` runs another checkout's code with this venv)
and for 1 and 2 ``billing-portal worker`` processes (``DRAIN_WORKERS=1,2``): inserts ``events`` fresh sandbox
events straight into ``webhook_events`` and times the workers until the inbox is empty.
Prints events/s per run; a run's rate is measured from its first processed event.
"""

from __future__ import annotations

import asyncio
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


async def _count(dsn: str, query: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        return int(await connection.fetchval(query))
    finally:
        await connection.close()


def _run(stack: Stack, src: str, workers: int, events: int, minted: int) -> float:
    batch = list(mint_events(stack.templates, "drain", events, start=minted))
    asyncio.run(_insert(stack.database.dsn, batch))
    env = {**stack.api_environment(stack.sandbox_url), "PYTHONPATH": src}
    env.update({k: v for k, v in os.environ.items() if k.startswith("PORTAL_WORKER_")})
    command = [PYTHON, "-c", "from entrypoints.cli.main import main; main()", "worker"]
    done = "SELECT count(*) FROM webhook_events WHERE status NOT IN ('pending', 'processing')"
    start = asyncio.run(_count(stack.database.dsn, done))
    children = [stack.start(f"w{workers}_{n}_{minted}", command, env) for n in range(workers)]
    try:
        while (first := asyncio.run(_count(stack.database.dsn, done))) == start:
            if any(c.process.poll() is not None for c in children):
                raise RuntimeError("a worker exited; see its log in " + str(stack.workdir))
            time.sleep(0.05)
        began = time.monotonic()
        if os.environ.get("DRAIN_PROFILE"):
            out = f"{os.environ['DRAIN_PROFILE']}/{Path(src).parent.name}_{workers}.txt"
            subprocess.Popen([str(VENV_BIN / "py-spy"), "record", "-r", "200", "-f", "raw", "-d", "10",
                              "--pid", str(children[0].pid), "-o", out])  # fmt: skip
        while (last := asyncio.run(_count(stack.database.dsn, done))) < start + events:
            if any(c.process.poll() is not None for c in children):
                raise RuntimeError("a worker exited; see its log in " + str(stack.workdir))
            time.sleep(0.05)
        elapsed = time.monotonic() - began
    finally:
        for child in children:
            stack.stop(child)
    fell_back = sum(Path(c._log.name).read_text().count("worker.batch.fell_back") for c in children)
    failed = asyncio.run(
        _count(stack.database.dsn, "SELECT count(*) FROM webhook_events WHERE attempts > 0")
    )
    print(f"{src}: {workers} worker(s): {(last - first) / elapsed:7.1f} events/s"
          f" ({events} events, {failed} with failed attempts so far,"
          f" {fell_back} batches fell back)", flush=True)  # fmt: skip
    return (last - first) / elapsed


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    sources = sys.argv[2:] or [SRC]
    customers = int(os.environ.get("DRAIN_CUSTOMERS", "300"))
    database = BenchDatabase(f"portal_drain_{os.getpid()}")
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
                minted = 0
                for workers in (int(n) for n in os.environ.get("DRAIN_WORKERS", "1,2").split(",")):
                    for src in sources:
                        _run(stack, src, workers, events, minted)
                        minted += events
    finally:
        asyncio.run(database.drop())


if __name__ == "__main__":
    main()
