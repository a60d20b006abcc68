"""The scenarios of issue 9, each beside its baseline, interleaved over rounds.

Every figure in the table is a median over rounds; every ratio is computed per round
from two runs made seconds apart, then the median of those ratios is taken.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from benchmarks.environment import BenchDatabase
from benchmarks.load import LoadResult, RequestFile, run_pgbench, run_wrk
from benchmarks.plan import Plan
from benchmarks.processes import process_tree, rss_mb
from benchmarks.stack import CLI, Stack

INGEST_CONNECTIONS = 32
# A drain run that has not drained its events by then is measured on what it did.
DRAIN_LIMIT_SECONDS = 180
SLOW_STRIPE_MS, SLOW_STRIPE_CONNECTIONS = 200, 100


@dataclass(frozen=True)
class Row:
    scenario: str
    measured: str
    baseline: str
    ratio: str
    target: str
    met: bool | None


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _checked(name: str, result: LoadResult, *, new_events: bool = False) -> LoadResult:
    if result.errors:
        raise RuntimeError(f"{name}: {result.errors} failed requests (see the logs)")
    if new_events and result.wrapped:
        raise RuntimeError(f"{name}: ran out of distinct events; raise max_ingest_rate")
    return result


@dataclass
class Figures:
    """What the scenarios measured; the table is built from it."""

    pgbench: list[float]
    ingest: list[LoadResult]
    redelivery: list[LoadResult]
    ingest_ratio: list[float]
    redelivery_ratio: list[float]


def _interleaved(
    number: int, runs: Mapping[str, Callable[[], LoadResult]]
) -> dict[str, LoadResult]:
    """Every run once, the order rotated by ``number`` so each takes each position."""
    names = list(runs)
    shift = number % len(names)
    return {name: runs[name]() for name in names[shift:] + names[:shift]}


def _wrk(
    name: str, url: str, requests: RequestFile, new_events: bool = False, **kw: Any
) -> LoadResult:
    return _checked(name, run_wrk(url, requests, **kw), new_events=new_events)


def ingest_rounds(
    stack: Stack, plan: Plan, pgbench_scripts: list[Path], pgbench_args: list[str]
) -> Figures:
    """pgbench, new events, redeliveries: one of each per round, in rotating order."""
    per_run = int(plan.max_ingest_rate * plan.seconds)
    stored = stack.new_events_file("redeliveries", 2000)
    _wrk("storing the events to redeliver", stack.api_url, stored, seconds=2, connections=8)
    figures = Figures([], [], [], [], [])
    load: dict[str, Any] = {"seconds": plan.seconds, "connections": INGEST_CONNECTIONS}
    for number in range(plan.rounds):
        fresh = stack.new_events_file(f"ingest_{number}", per_run)
        got = _interleaved(number, {
            "pgbench": partial(run_pgbench, pgbench_args, pgbench_scripts,
                               seconds=plan.seconds, clients=INGEST_CONNECTIONS),
            "new": partial(_wrk, "ingest", stack.api_url, fresh, True, **load),
            "again": partial(_wrk, "redeliveries", stack.api_url, stored, **load),
        })  # fmt: skip
        figures.pgbench.append(got["pgbench"].rate)
        figures.ingest.append(got["new"])
        figures.redelivery.append(got["again"])
        figures.ingest_ratio.append(got["new"].rate / got["pgbench"].rate)
        figures.redelivery_ratio.append(got["again"].rate / got["new"].rate)
    return figures


@dataclass
class HttpFigures:
    select1: list[float]
    portal: list[LoadResult]
    summary: list[LoadResult]
    portal_ratio: list[float]
    summary_ratio: list[float]
    slow_portal: list[LoadResult]


def http_rounds(stack: Stack, plan: Plan, portal: RequestFile, summary: RequestFile) -> HttpFigures:
    select1 = stack.plain_file("select1", "/select1")
    figures = HttpFigures([], [], [], [], [], [])
    load: dict[str, Any] = {"seconds": plan.seconds, "connections": INGEST_CONNECTIONS}
    for number in range(plan.rounds):
        got = _interleaved(number, {
            "select1": partial(_wrk, "select1", stack.baseline_url, select1, **load),
            "portal": partial(_wrk, "portal", stack.api_url, portal, **load),
            "summary": partial(_wrk, "summary", stack.api_url, summary, **load),
        })  # fmt: skip
        figures.select1.append(got["select1"].rate)
        figures.portal.append(got["portal"])
        figures.summary.append(got["summary"])
        figures.portal_ratio.append(got["portal"].rate / got["select1"].rate)
        figures.summary_ratio.append(got["summary"].rate / got["select1"].rate)
    stack.set_stripe_latency(SLOW_STRIPE_MS)
    try:
        for _ in range(plan.rounds):
            figures.slow_portal.append(
                _wrk("portal, slow Stripe", stack.api_url, portal, seconds=plan.seconds,
                     connections=SLOW_STRIPE_CONNECTIONS)
            )  # fmt: skip
    finally:
        stack.set_stripe_latency(0)
    return figures


HALF_PEAK_TRIES = 3


def half_peak(
    plan: Plan, url: str, requests: Callable[[], RequestFile], peak: float
) -> tuple[LoadResult, float]:
    """The endpoint at about half its peak rate, and the share of the peak it got.

    wrk has no fixed-rate mode: each of the 32 connections waits a random time (0.5 to 1.5
    times ``spacing``) before each request. At the peak a connection sent one request every
    ``32 / peak`` s; waiting twice that gives a little under half, less the answer time.
    When a run lands outside 0.42-0.58 of the peak (wrk's timers are coarse for short
    waits, as the ``SELECT 1`` route's are), the wait is scaled by what it got and the run
    repeated, up to ``HALF_PEAK_TRIES`` runs; the last is kept. ``requests`` gives the
    file of each run (new events must be new for every run)."""
    spacing_ms = 2 * 1000 * INGEST_CONNECTIONS / max(peak, 1)
    for _ in range(HALF_PEAK_TRIES):
        result = _checked(
            "half peak",
            run_wrk(url, requests(), seconds=plan.seconds * 2,
                    connections=INGEST_CONNECTIONS, spacing_ms=spacing_ms),
        )  # fmt: skip
        share = result.rate / max(peak, 1)
        if 0.42 <= share <= 0.58:
            break
        spacing_ms *= share / 0.5
    return result, share


def serve_rss(api_pid: int) -> list[float]:
    return [rss_mb(pid) for pid in process_tree(api_pid)]


async def _processed(stack: Stack) -> int:
    value = await stack.database.fetch_value(
        "SELECT count(*) FROM webhook_events"
        " WHERE status NOT IN ('pending', 'processing') OR last_error IS NOT NULL"
    )  # processed, ignored, parked, or tried and failed (pending again, for a retry)
    assert isinstance(value, int), value
    return value


async def _pending(stack: Stack) -> int:
    value = await stack.database.fetch_value(
        "SELECT count(*) FROM webhook_events WHERE status IN ('pending', 'processing')"
    )
    assert isinstance(value, int), value
    return value


def prepare_drain(stack: Stack, events: int) -> tuple[BenchDatabase, int]:
    """The state every drain run starts from: the inbox cut down to its first ``events``
    events in the order the workers claim them (what the ingest rounds stored), kept as
    a copy of the database. Every run with 1 or 2 workers then drains the same events
    from the same mirror, so that their rates compare (the inbox's events are not alike:
    the first copy of an object's event writes the mirror and queues emails, a later
    copy of the same object is mostly skipped). Returns the copy and its event count."""
    kept = f"""SELECT * FROM webhook_events WHERE status = 'pending'
               ORDER BY created, id LIMIT {int(events)}"""
    asyncio.run(
        stack.database.execute(
            f"CREATE TABLE bench_kept_events AS {kept}",
            "TRUNCATE webhook_events, pgbench_webhook_events",
            "INSERT INTO webhook_events SELECT * FROM bench_kept_events",
            "DROP TABLE bench_kept_events",
            "VACUUM ANALYZE webhook_events",
        )
    )
    snapshot = BenchDatabase(stack.database.name + "_drain")
    asyncio.run(snapshot.copy_of(stack.database.name))
    return snapshot, asyncio.run(_pending(stack))


def drain(
    stack: Stack, snapshot: BenchDatabase, events: int, workers: int
) -> tuple[float, list[float], bool]:
    """Events per second that ``workers`` worker processes take from the inbox to the
    mirror and outbox: the database is made again from ``snapshot`` (``events`` events
    pending), and the rate is counted from the first processed event to the last (a
    worker's start-up is not in it); their RSS after it; whether they drained them all
    within the time allowed (otherwise the rate is of what they did)."""
    asyncio.run(stack.database.copy_of(snapshot.name))
    env = stack.api_environment(stack.sandbox_url)
    children = [stack.start(f"worker_{workers}_{n}", [CLI, "worker"], env) for n in range(workers)]
    try:
        deadline = time.monotonic() + 60
        while (first := asyncio.run(_processed(stack))) == 0:
            if time.monotonic() > deadline or any(c.process.poll() is not None for c in children):
                raise RuntimeError("the workers processed nothing; see their logs")
            time.sleep(0.05)  # polling the inbox while the workers start
        began = time.monotonic()
        deadline = began + DRAIN_LIMIT_SECONDS
        while (last := asyncio.run(_processed(stack))) < events and time.monotonic() < deadline:
            time.sleep(0.05)
        elapsed = time.monotonic() - began
        rss = [rss_mb(c.pid) for c in children]
    finally:
        for child in children:
            stack.stop(child)
    return (last - first) / elapsed, rss, last >= events


@dataclass(frozen=True)
class Backfill:
    customers: int
    sync_seconds: float
    gets_seconds: float


def backfill(stack: Stack, customer_ids: list[str]) -> Backfill:
    """`billing-portal sync` of every sandbox customer against as many bare GETs."""
    env = stack.api_environment(stack.sandbox_url)
    began = time.monotonic()
    done = subprocess.run([CLI, "sync"], env=env, capture_output=True, text=True, check=False)
    sync_seconds = time.monotonic() - began
    if done.returncode != 0:
        raise RuntimeError(f"billing-portal sync failed: {done.stderr.strip()}")
    headers = {"Authorization": "Bearer sk_test_sandbox"}
    with httpx.Client(base_url=stack.sandbox_url, headers=headers) as client:
        began = time.monotonic()
        for customer_id in customer_ids:
            client.get(f"/v1/customers/{customer_id}").raise_for_status()
        gets_seconds = time.monotonic() - began
    return Backfill(len(customer_ids), sync_seconds, gets_seconds)
