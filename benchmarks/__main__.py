"""``make bench``: start everything, run every scenario beside its baseline, print the
table and write it into docs/PERFORMANCE.md. ``BENCH_QUICK=1`` for a short trial run."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import scenarios
from benchmarks.environment import (
    BenchDatabase,
    bearer_token,
    bench_users,
    link_users_and_apply_catalog,
    sandbox_customers,
)
from benchmarks.pgbench_baseline import connection_args, create_copy, write_scripts
from benchmarks.plan import Plan, plan_from_environment
from benchmarks.processes import HOST, free_port
from benchmarks.report import build_rows, print_table, write_document
from benchmarks.stack import CLI, PYTHON, Stack, stopping
from benchmarks.stripe_events import fetch_templates


def _say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main() -> int:
    for tool in ("wrk", "pgbench"):
        if shutil.which(tool) is None:
            print(f"make bench needs {tool} (Debian: apt-get install wrk postgresql-client)")
            return 2
    plan = plan_from_environment()
    began = time.monotonic()
    database = BenchDatabase(f"portal_bench_{os.getpid()}")
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as workdir:
        asyncio.run(database.create())
        try:
            return _run(plan, database, Path(workdir), began)
        finally:
            asyncio.run(database.drop())


def _run(plan: Plan, database: BenchDatabase, workdir: Path, began: float) -> int:
    stack = Stack(workdir, database, "", [], plan.serve_processes)
    with stopping(stack):
        env = stack.api_environment("http://127.0.0.1:9")
        migrated = subprocess.run([CLI, "db", "upgrade"], env=env, capture_output=True, text=True)
        if migrated.returncode != 0:
            raise RuntimeError(f"billing-portal db upgrade failed: {migrated.stderr.strip()}")
        _say(f"seeding the sandbox with {plan.customers} customers")
        port = free_port()
        sandbox = stack.start(
            "sandbox",
            [PYTHON, "-m", "benchmarks.sandbox_server", str(port), str(plan.customers)],
            env,
        )
        stack.sandbox_url = f"http://{HOST}:{port}"
        # Polling an HTTP route while seeding a large sandbox queued one full-state
        # snapshot per poll behind the seeding (10,000 customers never answered).
        sandbox.wait_listening(port, timeout=600)
        customers = sandbox_customers(stack.sandbox_url)
        _say(f"backfill: billing-portal sync of {len(customers)} customers, then bare GETs")
        backfill = scenarios.backfill(stack, [str(c["id"]) for c in customers])
        users = bench_users(customers, plan.users)
        link_users_and_apply_catalog(stack.api_environment(stack.sandbox_url), users)
        stack.templates = fetch_templates(stack.sandbox_url, "sk_test_sandbox", 3000)
        asyncio.run(create_copy(database))
        pgbench_scripts = write_scripts(workdir, stack.templates)
        tokens = [bearer_token(user) for user in users]
        portal = stack.bearer_file("portal", tokens, "POST", "/api/billing/portal-sessions")
        summary = stack.bearer_file("summary", tokens, "GET", "/api/billing/summary")
        api = stack.start_services()
        _say("ingest: pgbench, new events, redeliveries")
        ingest = scenarios.ingest_rounds(stack, plan, pgbench_scripts, connection_args(database))
        _say("portal sessions and summary beside SELECT 1; then a slow Stripe")
        http = scenarios.http_rounds(stack, plan, portal, summary)
        _say("each endpoint at half its peak")
        ingest_peak = scenarios.median([r.rate for r in ingest.ingest])
        half_events = int(ingest_peak * plan.seconds) + 500
        half = {
            "webhook": scenarios.half_peak(
                plan, stack.api_url,
                lambda: stack.new_events_file("half_peak", half_events), ingest_peak,
            ),
            "portal": scenarios.half_peak(
                plan, stack.api_url, lambda: portal, scenarios.median([r.rate for r in http.portal])
            ),
            "summary": scenarios.half_peak(
                plan, stack.api_url, lambda: summary, scenarios.median([r.rate for r in http.summary])
            ),
        }  # fmt: skip
        # The same measure of the bare route, beside them: what the machine's scheduling
        # alone does to a tail at that load.
        select1 = stack.plain_file("select1", "/select1")
        reference = scenarios.half_peak(
            plan, stack.baseline_url, lambda: select1, scenarios.median(http.select1)
        )
        api_rss = scenarios.serve_rss(api.pid)
        stack.stop(api)
        stack.stop_baseline()  # the drain copies the database, which needs it to itself
        snapshot, events = scenarios.prepare_drain(stack, plan.drain_events)
        _say(f"drain with 1 and 2 workers, {events} events each run")
        drains: dict[int, list[tuple[float, list[float], bool]]] = {1: [], 2: []}
        try:
            for _ in range(plan.drain_rounds):
                for workers in (1, 2):
                    drains[workers].append(scenarios.drain(stack, snapshot, events, workers))
        finally:
            asyncio.run(snapshot.drop())
        rows = build_rows(plan, backfill, ingest, http, half, reference, api_rss, drains)
        print_table(rows)
        write_document(plan, rows, elapsed=time.monotonic() - began, notes=_notes(stack))
    return 0


def _notes(stack: Stack) -> list[str]:
    sizes = [len(json.dumps(t, separators=(",", ":"))) for t in stack.templates]
    types = sorted({str(t["type"]) for t in stack.templates})
    return [
        f"Webhook bodies: {len(sizes)} sandbox events as templates, {min(sizes):,} to "
        f"{max(sizes):,} bytes, mean {sum(sizes) / len(sizes):,.0f} ({', '.join(types)})"
    ]


if __name__ == "__main__":
    sys.exit(main())
