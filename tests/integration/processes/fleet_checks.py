"""The end state every fleet test demands: each acknowledged event processed once, the
mirror holding each invoice's newest state, each email queued once, sent once, one file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from fleet import Fleet
from fleet_state import concurrent_first_write, inbox, mailed_keys, mirror, outbox
from invoice_events import InvoiceEvent, newest_states
from sqlalchemy.ext.asyncio import AsyncEngine


def email_keys(events: Sequence[InvoiceEvent]) -> set[str]:
    return {e.email_key for e in events if e.email_key}


async def all_done(database: AsyncEngine, events: Sequence[InvoiceEvent]) -> bool:
    """Every event processed and every email it called for sent (what tests wait for)."""
    stored = await inbox(database)
    if len(stored) < len({e.id for e in events}):
        return False
    if any(row.status != "processed" for row in stored.values()):
        return False
    queued = await outbox(database)
    return set(queued) == email_keys(events) and all(s == "sent" for s, _ in queued.values())


async def assert_exactly_once(
    database: AsyncEngine, fleet: Fleet, events: Sequence[InvoiceEvent]
) -> int:
    """Fail unless the end state is exactly right; returns how many events were retried
    because two workers first-wrote the same invoice at once (rolled back, then redone)."""
    stored = await inbox(database)
    assert set(stored) == {e.id for e in events}
    assert {row.status for row in stored.values()} == {"processed"}
    retried = {i: r.last_error for i, r in stored.items() if r.attempts}
    assert all(concurrent_first_write(error) for error in retried.values()), retried
    assert await mirror(database) == newest_states(events)
    keys = email_keys(events)
    assert await outbox(database) == {key: ("sent", 0) for key in keys}
    assert mailed_keys(fleet.mail_files()) == Counter({key: 1 for key in keys})
    return len(retried)
