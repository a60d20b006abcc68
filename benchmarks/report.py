"""The table of a run: printed, and written between markers into docs/PERFORMANCE.md."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import time
from pathlib import Path

from benchmarks.load import LoadResult
from benchmarks.plan import Plan
from benchmarks.scenarios import Backfill, Figures, HttpFigures, Row, median

DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "PERFORMANCE.md"
BEGIN, END = "<!-- bench:results -->", "<!-- /bench:results -->"
MEMORY_LIMIT_MB = 150
Drains = dict[int, list[tuple[float, list[float], bool]]]


def _rate(results: list[LoadResult]) -> float:
    return median([r.rate for r in results])


def _p(results: list[LoadResult], attribute: str) -> float:
    return median([getattr(r, attribute) for r in results])


def build_rows(
    plan: Plan,
    backfill: Backfill,
    ingest: Figures,
    http: HttpFigures,
    half: dict[str, tuple[LoadResult, float]],
    reference: tuple[LoadResult, float],
    api_rss: list[float],
    drains: Drains,
) -> list[Row]:
    ingest_rate, pgbench = _rate(ingest.ingest), median(ingest.pgbench)
    rows = [
        Row("Webhook ingest, new events, 32 conn.", f"{ingest_rate:,.0f} req/s",
            f"pgbench {pgbench:,.0f} tps", f"{median(ingest.ingest_ratio):.2f}x", ">= 1.0x",
            median(ingest.ingest_ratio) >= 1.0),
        Row("Webhook redeliveries", f"{_rate(ingest.redelivery):,.0f} req/s",
            f"new events {ingest_rate:,.0f} req/s", f"{median(ingest.redelivery_ratio):.2f}x",
            ">= 1.5x", median(ingest.redelivery_ratio) >= 1.5),
    ]  # fmt: skip
    for workers, target in ((1, 1.0), (2, 1.6)):
        rate = median([d[0] for d in drains[workers]])
        starved = "" if all(d[2] for d in drains[workers]) else " (a run did not finish)"
        rows.append(
            Row(f"Drain, {workers} worker process{'es' if workers > 1 else ''}",
                f"{rate:,.0f} events/s{starved}", f"ingest {ingest_rate:,.0f} req/s",
                f"{rate / ingest_rate:.2f}x", f">= {target}x", rate / ingest_rate >= target)
        )  # fmt: skip
    select1 = median(http.select1)
    portal_ratio, summary_ratio = median(http.portal_ratio), median(http.summary_ratio)
    slow_rate = _rate(http.slow_portal)
    slow_p99 = _p(http.slow_portal, "p99_ms")
    rows += [
        Row("Portal session, Stripe at once", f"{_rate(http.portal):,.0f} req/s, "
            f"p99 {_p(http.portal, 'p99_ms'):,.0f} ms", f"SELECT 1 route {select1:,.0f} req/s",
            f"{portal_ratio:.2f}x", ">= 0.5x", portal_ratio >= 0.5),
        Row("Portal session, Stripe after 200 ms, 100 conn.",
            f"{slow_rate:,.0f} req/s, p50 {_p(http.slow_portal, 'p50_ms'):,.0f} ms, "
            f"p99 {slow_p99:,.0f} ms", "ideal 500 req/s", f"{slow_rate / 500:.2f}x",
            ">= 0.9x, p99 < 300 ms", slow_rate / 500 >= 0.9 and slow_p99 < 300),
        Row("GET /api/billing/summary", f"{_rate(http.summary):,.0f} req/s",
            f"SELECT 1 route {select1:,.0f} req/s", f"{summary_ratio:.2f}x", ">= 0.6x",
            summary_ratio >= 0.6),
    ]  # fmt: skip
    base, base_share = reference
    base_ratio = base.p99_ms / base.p50_ms if base.p50_ms else 0.0
    beside = (f"its own p50; the SELECT 1 route at {base_share:.2f} of its peak: "
              f"p99 = {base_ratio:.1f}x p50")  # fmt: skip
    for name, (result, share) in half.items():
        ratio = result.p99_ms / result.p50_ms if result.p50_ms else 0.0
        rows.append(
            Row(f"{name} at half its peak", f"{result.rate:,.0f} req/s ({share:.2f} of peak), "
                f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms", beside,
                f"p99 = {ratio:.1f}x p50", "p99 <= 4x p50", ratio <= 4)
        )  # fmt: skip
    worker_rss = [mb for runs in drains.values() for run in runs for mb in run[1]]
    biggest = max(api_rss + worker_rss)
    rows.append(
        Row("Memory (RSS after the run)", f"API {', '.join(f'{m:.0f}' for m in api_rss)} MB; "
            f"workers up to {max(worker_rss):.0f} MB", "", f"max {biggest:.0f} MB",
            f"< {MEMORY_LIMIT_MB} MB each", biggest < MEMORY_LIMIT_MB)
    )  # fmt: skip
    sync_rate = backfill.customers / backfill.sync_seconds
    gets_rate = backfill.customers / backfill.gets_seconds
    rows.append(
        Row(f"Backfill (`sync`) of {backfill.customers:,} customers",
            f"{backfill.sync_seconds:.1f} s ({sync_rate:,.0f} customers/s)",
            f"{backfill.customers:,} bare GETs: {backfill.gets_seconds:.1f} s",
            f"{sync_rate / gets_rate:.2f}x", ">= 0.5x", sync_rate / gets_rate >= 0.5)
    )  # fmt: skip
    return rows


def _markdown(rows: list[Row]) -> str:
    lines = ["| Scenario | Measured | Baseline in the same run | Ratio | Target | Met |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        met = "-" if r.met is None else ("yes" if r.met else "**no**")
        lines.append(
            f"| {r.scenario} | {r.measured} | {r.baseline} | {r.ratio} | {r.target} | {met} |"
        )
    return "\n".join(lines)


def print_table(rows: list[Row]) -> None:
    print(_markdown(rows))


def _version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError:
        return "?"
    return (
        (done.stdout or done.stderr).strip().splitlines()[0]
        if (done.stdout or done.stderr)
        else "?"
    )


def _cpu_model() -> str:
    try:
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    except OSError:
        return platform.processor() or "?"
    return found.group(1).strip() if found else "?"


def machine_description(plan: Plan) -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    overrides = [
        f"{k}={os.environ[k]}" for k in ("BENCH_QUICK", "BENCH_CUSTOMERS") if k in os.environ
    ]
    mode = " ".join([*overrides, "make bench"])
    return "\n".join([
        f"- Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, `{mode}`, "
        f"{plan.rounds} round(s) of {plan.seconds:g} s per scenario, load average at the end {load}",
        f"- Machine: {os.cpu_count()} CPUs ({_cpu_model()}), Linux {platform.release()}",
        f"- Python {platform.python_version()}; {_version(['wrk', '--version'])}; "
        f"{_version(['pgbench', '--version'])}; {_version(['psql', '--version'])}",
        f"- `billing-portal serve` processes: {plan.serve_processes} (the SELECT 1 baseline runs as many)",
    ])  # fmt: skip


def write_document(plan: Plan, rows: list[Row], *, elapsed: float, notes: list[str]) -> None:
    facts = "\n".join([machine_description(plan), *(f"- {n}" for n in notes)])
    block = f"{BEGIN}\n{facts}\n- Whole run: {elapsed / 60:.1f} min\n\n{_markdown(rows)}\n{END}"
    text = DOCUMENT.read_text() if DOCUMENT.exists() else f"# Performance\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text:
        text += f"\n{BEGIN}\n{END}\n"
    start, end = text.index(BEGIN), text.index(END) + len(END)
    DOCUMENT.write_text(text[:start] + block + text[end:])
    print(f"written to {DOCUMENT.relative_to(DOCUMENT.parent.parent)}")
