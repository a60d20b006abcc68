"""Growing past one process: 2 API processes and 3 workers on one PostgreSQL, nothing else
coordinating them. Every event reaches both APIs (a duplicate racing its twin); each is
processed exactly once and each email is sent exactly once."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Callable

from fleet import Fleet
from fleet_checks import all_done, assert_exactly_once, email_keys
from fleet_state import eventually, logged, worker_totals
from invoice_events import Sender, invoice_events
from sqlalchemy.ext.asyncio import AsyncEngine

INVOICES, VERSIONS = 60, 4  # 240 events, 60 of them failed payments (one email each)


async def test_two_apis_and_three_workers_process_every_event_once_and_mail_once(
    make_fleet: Callable[..., Fleet], database: AsyncEngine
) -> None:
    fleet = make_fleet(PORTAL_WORKER_BATCH_SIZE="10", PORTAL_WORKER_LEASE_SECONDS="3")
    api_1, api_2, *workers = fleet.started(apis=2, workers=3)
    events = invoice_events("grow", invoices=INVOICES, versions=VERSIONS)
    emails = email_keys(events)
    to_first, to_second = Sender([api_1.url]), Sender([api_2.url])

    await asyncio.gather(  # the same events, in two different orders, at the same time
        to_first.send_all(random.Random(1).sample(events, len(events))),
        to_second.send_all(random.Random(2).sample(events, len(events))),
    )

    await eventually(lambda: all_done(database, events), "every event processed and mailed")
    exits = [worker.terminate() for worker in workers] + [api_1.terminate(), api_2.terminate()]

    assert exits == [0, 0, 0, 0, 0]
    acknowledged = to_first.acknowledged + to_second.acknowledged
    assert acknowledged == Counter({e.id: 2 for e in events})  # both APIs said 2xx
    assert to_first.duplicates_answered + to_second.duplicates_answered == len(events)
    retried = await assert_exactly_once(database, fleet, events)
    per_worker = [worker_totals(worker.log_text()) for worker in workers]
    processed = sum(t["events"] for t in per_worker)
    mailed = sum(t["emails_sent"] for t in per_worker)
    # A pass cut short by a database error logs nothing of what it had already committed
    # (the server is shared: another suite may restart it); then the logs undercount.
    outage = any(logged(worker.log_text(), "worker.pass.failed") for worker in workers)
    if outage:
        assert processed <= len(events)
        assert mailed <= len(emails)
    else:  # each event processed by one worker only, each email sent by one only
        assert processed == len(events)
        assert mailed == len(emails)
    print(
        f"\n{len(events)} events x 2 APIs -> processed once each; {len(emails)} emails; "
        f"per worker (events, emails): {[(t['events'], t['emails_sent']) for t in per_worker]}; "
        f"retried after two workers first-wrote the same invoice at once: {retried}; "
        f"database outage during the run (logs undercount): {outage}"
    )
