"""Load with faults: 10,000 events (duplicates included, shuffled) across 2 API processes
and 2 workers, with workers and an API killed (-9) and replaced while events pour in. The
mirror ends holding every invoice's newest state; each email leaves once. Prints the
counts (docs/RELIABILITY.md quotes a run)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from fleet import Fleet, Process
from fleet_checks import all_done, assert_exactly_once, email_keys
from fleet_state import eventually, held_by, mailed_keys, worker_totals
from invoice_events import Sender, deliveries, invoice_events
from sqlalchemy.ext.asyncio import AsyncEngine

INVOICES, VERSIONS = 2_500, 4  # 10,000 distinct events; 2,500 failed payments to mail
DUPLICATE_SHARE = 0.15


class Faults:
    """Kills a worker mid-batch, then an API, then the other worker, at a quarter, a half
    and three quarters of the acknowledgements; each is replaced at once."""

    def __init__(self, fleet: Fleet, database: AsyncEngine, sender: Sender, total: int) -> None:
        self.fleet, self.database, self.sender, self.total = fleet, database, sender, total
        self.killed: list[str] = []

    async def acknowledged(self, share: float) -> None:
        async def reached() -> bool:
            return len(self.sender.acknowledged) >= share * self.total

        await eventually(reached, f"{share:.0%} of the events acknowledged", within=180)

    async def kill_worker_mid_batch(self, worker: Process, replacement: str) -> None:
        async def holding() -> bool:
            return await held_by(self.database, "webhook_events", worker.name) > 0

        await eventually(holding, f"{worker.name} to hold a claim", within=60)
        worker.kill()
        self.killed.append(worker.name)
        await asyncio.to_thread(self.fleet.started, workers=1, prefix=replacement)

    async def kill_api(self, api: Process) -> None:
        api.kill()
        self.killed.append(api.name)
        self.sender.api_urls.remove(api.url)  # the load balancer's health check drops it
        [replacement] = await asyncio.to_thread(self.fleet.started, apis=1, prefix="new-")
        self.sender.api_urls.append(replacement.url)

    async def run(self, api: Process, workers: list[Process]) -> None:
        await self.acknowledged(0.25)
        await self.kill_worker_mid_batch(workers[0], "second-")
        await self.acknowledged(0.5)
        await self.kill_api(api)
        await self.acknowledged(0.75)
        await self.kill_worker_mid_batch(workers[1], "third-")


@pytest.mark.timeout(420)
async def test_ten_thousand_events_with_duplicates_and_kills_end_in_the_newest_state(
    make_fleet: Callable[..., Fleet], database: AsyncEngine
) -> None:
    started = time.monotonic()
    fleet = make_fleet(PORTAL_WORKER_BATCH_SIZE="100", PORTAL_WORKER_LEASE_SECONDS="3")
    api_1, api_2, worker_1, worker_2 = fleet.started(apis=2, workers=2)
    events = invoice_events("load", invoices=INVOICES, versions=VERSIONS)
    sent = deliveries(events, duplicate_share=DUPLICATE_SHARE, seed=2026)
    sender = Sender([api_1.url, api_2.url], concurrency=16)
    faults = Faults(fleet, database, sender, len(events))

    await asyncio.gather(sender.send_all(sent), faults.run(api_1, [worker_1, worker_2]))
    sending_done = time.monotonic() - started
    await eventually(lambda: all_done(database, events), "the backlog to drain", within=180)
    elapsed = time.monotonic() - started

    assert len(faults.killed) == 3
    retried = await assert_exactly_once(database, fleet, events)
    survivors = [p for p in fleet.processes if p.running and p.port is None]
    assert [p.terminate() for p in survivors] == [0] * len(survivors)
    processed_by_survivors = sum(worker_totals(p.log_text())["events"] for p in survivors)
    print(
        f"\nload: {len(events)} events, {len(sent)} deliveries "
        f"({len(sent) - len(events)} duplicates; {sender.duplicates_answered} answered "
        f"'duplicate'), redelivered after a failed attempt: {sum(sender.refused.values())} "
        f"{dict(sender.refused)}; killed -9: {len(faults.killed)} ({', '.join(faults.killed)}); "
        f"emails: {len(mailed_keys(fleet.mail_files()))} files for "
        f"{len(email_keys(events))} keys; retried first-writes: {retried}; "
        f"processed by the surviving workers: {processed_by_survivors}; "
        f"sent in {sending_done:.0f} s, all processed and mailed in {elapsed:.0f} s"
    )
