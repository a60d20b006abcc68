"""FAULT: PostgreSQL stops (``-m immediate``, as a crash) and starts again while a real
``billing-portal serve`` receives signed webhooks and a real ``billing-portal worker``
processes them.

While the database is down every webhook answers 503 (never a 2xx: Stripe must retry);
once it is back, redelivery completes; after the worker drains, the mirror holds each
customer's newest state, every event once, nothing lost.

This stops the shared local cluster for a few seconds: the ``finally`` block always starts
it again and waits for ``pg_isready``.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from local_postgres import LocalCluster, local_cluster_of
from service_processes import (
    WEBHOOK_SECRET,
    free_port,
    running,
    service_environment,
    wait_for_log_line,
    wait_until_ready,
)
from sqlalchemy import func, select
from webhook_load import Answer, StripeLikeSender, customer_events

from adapters.persistence import create_engine, upgrade_database_async
from adapters.persistence.tables import billing_customers, webhook_events
from entrypoints.http.problems import DATABASE_UNAVAILABLE

pytestmark = [pytest.mark.postgres, pytest.mark.restarts_postgres]
CUSTOMERS, VERSIONS, LANES = 30, 4, 4
ANSWERS_WHILE_DOWN = 40  # webhook answers to collect while the database is stopped
DRAIN_TIMEOUT_SECONDS = 45.0


@pytest.fixture
async def database_url(empty_postgres_url: str) -> str:
    engine = create_engine(empty_postgres_url)
    try:
        await upgrade_database_async(engine)
    finally:
        await engine.dispose()
    return empty_postgres_url


async def until(check: Callable[[], Awaitable[bool]], what: str, within: float) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {within:.0f} s waiting for {what}")
        await asyncio.sleep(0.1)


async def inbox_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            query = select(webhook_events.c.status, func.count()).group_by(webhook_events.c.status)
            return {status: n for status, n in (await connection.execute(query)).all()}
    finally:
        await engine.dispose()


async def mirrored_customers(url: str) -> dict[str, tuple[str | None, str | None]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(
                    billing_customers.c.id,
                    billing_customers.c.name,
                    billing_customers.c.source_event_id,
                )
            )
            return {row.id: (row.name, row.source_event_id) for row in rows}
    finally:
        await engine.dispose()


async def stop_then_start(
    database_url: str,
    cluster: LocalCluster,
    sender: StripeLikeSender,
    outage: dict[str, float],
    probes: dict[str, httpx.Response],
    down: asyncio.Event,
) -> None:
    """Once a third of the events are acknowledged and the worker is busy with them: stop
    (and set ``down``); collect answers and probe the health routes; start."""
    third = CUSTOMERS * VERSIONS // 3

    async def mid_load() -> bool:
        if len(sender.acknowledged) < third:
            return False
        return (await inbox_counts(database_url)).get("processed", 0) >= third // 2

    await until(mid_load, "a third acknowledged and the worker processing", 60)
    outage["stopping"] = time.monotonic()
    await asyncio.to_thread(cluster.stop_immediately)
    outage["down"] = time.monotonic()
    seen = len(sender.answers)
    down.set()

    async def enough_answers_while_down() -> bool:
        return len(sender.answers) - seen >= ANSWERS_WHILE_DOWN

    await until(enough_answers_while_down, "webhook answers while the database is down", 20)
    probes["readyz"] = await sender.client.get("/readyz")
    probes["healthz"] = await sender.client.get("/healthz")
    outage["starting"] = time.monotonic()
    await asyncio.to_thread(cluster.start)
    outage["up"] = time.monotonic()


async def test_webhooks_during_a_database_restart_are_refused_then_all_arrive_once(
    database_url: str, tmp_path: Path
) -> None:
    cluster = local_cluster_of(database_url)
    run = uuid.uuid4().hex[:8]
    events = customer_events(run, CUSTOMERS, VERSIONS)
    port = free_port()
    env = service_environment(
        database_url,
        tmp_path,
        PORTAL_PORT=str(port),
        PORTAL_WORKER_LEASE_SECONDS="3",
        PORTAL_WORKER_POLL_SECONDS="0.2",
    )
    outage: dict[str, float] = {}
    probes: dict[str, httpx.Response] = {}
    try:
        with (
            running("serve", ["serve"], env, tmp_path) as api,
            running("worker", ["-v", "worker"], env, tmp_path) as worker,
        ):
            await asyncio.to_thread(wait_until_ready, api, port)
            await asyncio.to_thread(wait_for_log_line, worker, "worker.started")
            base = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                sender = StripeLikeSender(client, WEBHOOK_SECRET)
                loaded_at = time.monotonic()
                down = asyncio.Event()
                # The last third waits for the outage: a fast ingest (several serve
                # processes, group commit) would otherwise acknowledge every event before
                # the worker is busy enough to stop the database, leaving nothing to send.
                mixed = events[:]
                random.Random(10).shuffle(mixed)  # versions of every customer on both sides
                cut = len(mixed) * 2 // 3

                async def deliver() -> None:
                    await sender.deliver_all(mixed[:cut], LANES, seed=10)
                    await down.wait()
                    await sender.deliver_all(mixed[cut:], LANES, seed=11)

                await asyncio.gather(
                    deliver(),
                    stop_then_start(database_url, cluster, sender, outage, probes, down),
                )
                delivered_at = time.monotonic()
                duplicates = [await sender.deliver_once(e) for e in events[::7]]

            async def drained() -> bool:
                return (await inbox_counts(database_url)).get("processed", 0) == len(events)

            await until(drained, "the worker to process every event", DRAIN_TIMEOUT_SECONDS)
            drained_at = time.monotonic()
            assert api.alive(), api.log_tail()
            assert worker.alive(), worker.log_tail()
    finally:
        await asyncio.to_thread(cluster.ensure_running)

    answers = sender.answers
    while_down = [
        a for a in answers if a.sent_at >= outage["down"] and a.answered_at <= outage["starting"]
    ]
    assert len(while_down) >= ANSWERS_WHILE_DOWN
    assert {a.status for a in while_down} == {503}, _statuses(while_down)
    assert {(a.body.get("type"), a.body.get("detail")) for a in while_down} == {
        ("urn:billing-portal:problem:persistence-unavailable", DATABASE_UNAVAILABLE)
    }  # a generic detail: the driver's message (host, user) stays in the log
    assert probes["readyz"].status_code == 503, probes["readyz"].text  # not ready ...
    assert probes["healthz"].status_code == 200  # ... but alive: nobody should restart it
    assert {a.status for a in answers} <= {200, 503}, _statuses(answers)  # never a 500
    slowest_refusal = max(a.answered_at - a.sent_at for a in answers if a.status == 503)
    assert slowest_refusal < 15, "a refusal waits at most the 10 s connect timeout"
    acknowledged_later = {a.event_id for a in answers if a.status == 503}
    assert acknowledged_later <= sender.acknowledged
    assert sender.acknowledged == {e.event_id for e in events}
    assert all(d.status == 200 and d.body.get("duplicate") is True for d in duplicates)

    assert await inbox_counts(database_url) == {"processed": len(events)}  # once each
    newest = {e.customer_id: (e.name, e.event_id) for e in events if e.version == VERSIONS - 1}
    assert await mirrored_customers(database_url) == newest

    refused = sum(a.status == 503 for a in answers)
    worker_log = worker.log_text()
    failed_passes = worker_log.count("worker.pass.failed") + worker_log.count("worker.pass.crashed")
    print(
        f"\nfault.database_restart: events={len(events)} deliveries={len(answers)} "
        f"answered_503={refused} answered_503_while_down={len(while_down)} "
        f"events_refused_then_redelivered={len(acknowledged_later)} "
        f"duplicates_resent={len(duplicates)} worker_passes_failed={failed_passes} "
        f"worker_event_retries={worker_log.count('worker.event.retrying')} "
        f"outage_s={outage['up'] - outage['stopping']:.1f} "
        f"slowest_503_s={slowest_refusal:.2f} "
        f"load_s={delivered_at - loaded_at:.1f} "
        f"drained_after_restart_s={drained_at - outage['up']:.1f}"
    )


def _statuses(answers: list[Answer]) -> str:
    counts: dict[int, int] = {}
    for answer in answers:
        counts[answer.status] = counts.get(answer.status, 0) + 1
    odd = [a for a in answers if a.status not in (200, 503)][:3]
    return f"statuses {counts}; e.g. {odd}"
