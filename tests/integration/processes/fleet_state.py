"""What the fleet did, read from its database, its mail folder and its logs."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass(frozen=True)
class InboxRow:
    status: str
    attempts: int
    locked_by: str | None
    last_error: str | None


async def inbox(engine: AsyncEngine) -> dict[str, InboxRow]:
    query = text("SELECT id, status, attempts, locked_by, last_error FROM webhook_events")
    async with engine.connect() as connection:
        rows = (await connection.execute(query)).all()
    return {r.id: InboxRow(r.status, r.attempts, r.locked_by, r.last_error) for r in rows}


def concurrent_first_write(error: str | None) -> bool:
    """The one failure several workers may cause: two of them wrote the first state of the
    same object at once (no row to lock yet); the loser rolls back and is retried."""
    return error is not None and "written by another transaction at the same time" in error


async def statuses(engine: AsyncEngine) -> Counter[str]:
    return Counter(row.status for row in (await inbox(engine)).values())


async def mirror(engine: AsyncEngine) -> dict[str, tuple[str, int]]:
    """Each mirrored invoice: the event its state came from and its amount due."""
    query = text("SELECT id, source_event_id, amount_due FROM billing_invoices")
    async with engine.connect() as connection:
        rows = (await connection.execute(query)).all()
    return {r.id: (r.source_event_id, r.amount_due) for r in rows}


async def outbox(engine: AsyncEngine) -> dict[str, tuple[str, int]]:
    """Each queued email by key: its status and failed attempts."""
    query = text("SELECT key, status, attempts FROM email_outbox")
    async with engine.connect() as connection:
        rows = (await connection.execute(query)).all()
    return {r.key: (r.status, r.attempts) for r in rows}


def mailed_keys(mail_files: list[Path]) -> Counter[str]:
    """The outbox key of every ``.eml`` file (its ``X-Billing-Portal-Key`` header)."""
    keys: Counter[str] = Counter()
    for path in mail_files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("X-Billing-Portal-Key:"):
                keys[line.split(":", 1)[1].strip()] += 1
                break
            if not line:  # the end of the headers
                break
    return keys


def logged(log_text: str, event: str) -> list[dict[str, object]]:
    """The JSON log lines of ``event`` in a process's log."""
    found = []
    for line in log_text.splitlines():
        if line.startswith("{") and f'"{event}"' in line:
            record = json.loads(line)
            if record.get("event") == event:
                found.append(record)
    return found


def worker_totals(log_text: str) -> Counter[str]:
    """Events processed, emails sent and claims released, as a worker's log tells them."""
    totals: Counter[str] = Counter()
    for record in logged(log_text, "worker.pass.done"):
        totals["events"] += int(str(record["events"]))
        totals["emails_sent"] += int(str(record["emails_sent"]))
    for record in logged(log_text, "worker.claims.released"):
        totals["released_events"] += int(str(record["events"]))
        totals["released_emails"] += int(str(record["emails"]))
    return totals


async def eventually(check: Callable[[], Awaitable[bool]], what: str, within: float = 90) -> None:
    """Poll ``check`` every 100 ms until it holds, or fail naming ``what`` at the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {within:.0f} s waiting for {what}")
        await asyncio.sleep(0.1)
