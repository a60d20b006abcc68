"""What the fleet did, read from its database, its mail folder and its logs."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from invoice_events import InvoiceEvent
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence import SqlaEventInbox, SqlaTransactionManager, create_session_factory
from application.ports.event_inbox import InboxEvent


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
    """Events processed (committed), emails sent and claims released, as a worker's log
    tells them."""
    totals: Counter[str] = Counter()
    for record in logged(log_text, "worker.pass.done"):  # its events: every one claimed
        totals["events"] += int(str(record["events"]))
        totals["emails_sent"] += int(str(record["emails_sent"]))
    for outcome in ("retrying", "parked"):  # ... of which these were rolled back, not done
        totals["events"] -= len(logged(log_text, f"worker.event.{outcome}"))
    for record in logged(log_text, "worker.claims.released"):
        totals["released_events"] += int(str(record["events"]))
        totals["released_emails"] += int(str(record["emails"]))
    return totals


async def eventually(check: Callable[[], Awaitable[bool]], what: str, within: float = 90) -> None:
    """Poll ``check`` every 100 ms until it holds, or fail naming ``what`` at the deadline.
    A database error counts as "not yet" (the server is shared: someone may be restarting
    it) and is named in the failure if it is still there at the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    last_error: Exception | None = None
    while True:
        try:
            if await check():
                return
        except (OSError, SQLAlchemyError) as error:
            last_error = error
        if loop.time() > deadline:
            cause = f" (last database error: {last_error!r})" if last_error else ""
            raise AssertionError(f"timed out after {within:.0f} s waiting for {what}{cause}")
        await asyncio.sleep(0.1)


async def store_acknowledged(engine: AsyncEngine, events: list[InvoiceEvent]) -> None:
    """The inbox as the APIs leave it once they have acknowledged ``events`` (written
    through the inbox adapter directly: a backlog in seconds, not a thousand requests)."""
    received = datetime.now(UTC)
    async with create_session_factory(engine)() as session:
        for event in events:
            payload = json.loads(event.body)
            created = datetime.fromtimestamp(payload["created"], UTC)
            stored = InboxEvent(event.id, event.type, created, False, payload, received)
            await SqlaEventInbox(session).store(stored)
        await SqlaTransactionManager(session).commit()


async def held_by(engine: AsyncEngine, table: str, worker_id: str) -> int:
    """How many rows of ``table`` (webhook_events, email_outbox) ``worker_id`` has claimed."""
    claimed = {"webhook_events": "processing", "email_outbox": "sending"}[table]
    query = text(f"SELECT count(*) FROM {table} WHERE status = :s AND locked_by = :w")
    async with engine.connect() as connection:
        return int((await connection.execute(query, {"s": claimed, "w": worker_id})).scalar_one())
