"""``kill -9`` under work: a worker holding a claim of events or of emails, and an API
process while webhooks pour in. Every acknowledged event is processed once; no email is
lost or sent twice. Leases are 3 s here (30 s by default) so a takeover is quick."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from fleet import Fleet
from fleet_checks import all_done, assert_exactly_once, email_keys
from fleet_state import eventually, held_by, mailed_keys, outbox, store_acknowledged
from invoice_events import Sender, deliveries, invoice_events
from sqlalchemy.ext.asyncio import AsyncEngine

LEASE = "3"


@pytest.mark.parametrize("holding", ["webhook_events", "email_outbox"])
async def test_a_worker_killed_holding_a_claim_loses_nothing_and_repeats_nothing(
    make_fleet: Callable[..., Fleet], database: AsyncEngine, holding: str
) -> None:
    events = invoice_events("kill", invoices=300, versions=4)  # 1,200 events, 300 emails
    await store_acknowledged(database, events)
    fleet = make_fleet(PORTAL_WORKER_BATCH_SIZE="200", PORTAL_WORKER_LEASE_SECONDS=LEASE)
    # Alone until it holds a claim (other workers could take every email before its first
    # outbox pass), then killed at once. A batch can end between the look and the kill:
    # then nothing was held, and the next victim takes the next batch (bounded tries).
    for attempt in range(5):
        [victim] = fleet.started(workers=1, prefix=f"victim{attempt}-")

        async def mid_batch(name: str = victim.name) -> bool:
            return await held_by(database, holding, name) > 0

        await eventually(mid_batch, f"{victim.name} to hold a claim in {holding}")
        victim.kill()
        killed_at = asyncio.get_running_loop().time()
        orphaned = await held_by(database, holding, victim.name)
        if orphaned:
            break
    sent_before = {k for k, (status, _) in (await outbox(database)).items() if status == "sent"}
    files_before = set(mailed_keys(fleet.mail_files()))
    fleet.started(workers=2, prefix="survivor-")  # they may take the claim once its lease ends

    async def orphans_taken() -> bool:
        return await held_by(database, holding, victim.name) == 0

    await eventually(orphans_taken, "the survivors to take over the orphaned claim")
    takeover = asyncio.get_running_loop().time() - killed_at
    await eventually(lambda: all_done(database, events), "every event processed and mailed")

    assert orphaned > 0  # killed mid-batch: its claim was left behind, no one released it
    # retaken when the lease ran out (renewed every lease / 3 until the kill), not before
    assert takeover >= float(LEASE) * 2 / 3 - 0.2
    await assert_exactly_once(database, fleet, events)
    # written to the mail folder but not yet marked sent when the process died: sent again
    # under the same Message-ID (the same file); at most the one message in hand
    resent = files_before - sent_before
    assert len(resent) <= 1
    print(
        f"\nkill -9 holding {orphaned} rows of {holding}: retaken {takeover:.1f} s after the kill "
        f"(lease {LEASE} s); "
        f"{len(events)} events once, {len(email_keys(events))} emails once; "
        f"resent under the same Message-ID: {len(resent)}"
    )


async def test_an_api_killed_under_load_loses_no_acknowledged_event(
    make_fleet: Callable[..., Fleet], database: AsyncEngine
) -> None:
    fleet = make_fleet(PORTAL_WORKER_BATCH_SIZE="50", PORTAL_WORKER_LEASE_SECONDS=LEASE)
    api_1, api_2, *_ = fleet.started(apis=2, workers=2)
    events = invoice_events("apikill", invoices=200, versions=4)
    sent = deliveries(events, duplicate_share=0.2, seed=7)
    sender = Sender([api_1.url, api_2.url], concurrency=16)
    sending = asyncio.create_task(sender.send_all(sent))

    async def under_load() -> bool:
        return len(sender.acknowledged) >= len(events) // 4

    await eventually(under_load, "a quarter of the events acknowledged")
    api_1.kill()  # mid-stream: its requests in flight fail, Stripe would redeliver them
    sender.api_urls.remove(api_1.url)  # the load balancer's health check drops it
    acknowledged_at_kill = len(sender.acknowledged)
    [api_3] = fleet.started(apis=1, prefix="replacement-")
    sender.api_urls.append(api_3.url)
    await asyncio.wait_for(sending, timeout=180)
    await eventually(lambda: all_done(database, events), "every event processed and mailed")

    assert acknowledged_at_kill < len(events)  # the kill came while events poured in
    assert set(sender.acknowledged) == {e.id for e in events}
    await assert_exactly_once(database, fleet, events)
    print(
        f"\nkill -9 of an API after {acknowledged_at_kill} acknowledgements; "
        f"{len(sent)} deliveries ({len(sent) - len(events)} duplicates), "
        f"redelivered after a failed attempt: {dict(sender.refused)}"
    )
