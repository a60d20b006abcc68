"""SIGTERM drains: an API process finishes the request in flight before it exits 0; a
worker finishes the event in hand, gives the rest of its claim back and exits 0."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

from fleet import Fleet, until
from fleet_state import (
    eventually,
    inbox,
    logged,
    mirror,
    statuses,
    store_acknowledged,
    worker_totals,
)
from invoice_events import (
    invoice_event,
    invoice_events,
    newest_states,
    signature,
)
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


async def read_until(reader: asyncio.StreamReader, marker: bytes) -> bytes:
    return await asyncio.wait_for(reader.readuntil(marker), timeout=30)


async def test_an_api_process_finishes_the_request_in_flight_then_exits_0(
    make_fleet: Callable[..., Fleet], database: AsyncEngine
) -> None:
    fleet = make_fleet()
    [api] = fleet.started(apis=1)
    event = invoice_event("drain", 1, 0)
    half = len(event.body) // 2
    reader, writer = await asyncio.open_connection("127.0.0.1", api.port)
    head = (
        f"POST /api/webhooks/stripe HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(event.body)}\r\n"
        f"Stripe-Signature: {signature(event.body)}\r\nExpect: 100-continue\r\n\r\n"
    )
    writer.write(head.encode())
    await writer.drain()
    # "100 Continue" comes when the app starts reading the body: the request is in flight
    assert (await read_until(reader, b"\r\n\r\n")).startswith(b"HTTP/1.1 100")
    writer.write(event.body[:half])
    await writer.drain()

    api.popen.send_signal(15)  # SIGTERM while the client is still sending the body
    await until(
        lambda: "Waiting for connections to close" in api.log_text(),
        within=30,
        what="the API to start draining",
    )
    assert api.running  # it waits for us
    writer.write(event.body[half:])
    await writer.drain()
    status_line = await read_until(reader, b"\r\n")
    headers = await read_until(reader, b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in headers.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )  # fmt: skip
    body = await asyncio.wait_for(reader.readexactly(length), timeout=30)
    writer.close()
    code = await api.exited()

    assert status_line.startswith(b"HTTP/1.1 200"), status_line
    assert json.loads(body) == {"received": True, "duplicate": False}
    assert code == 0
    assert set(await inbox(database)) == {event.id}  # acknowledged means stored


# 3,000 events, a batch a third of them: long enough (~1 s or more) that SIGTERM lands
# inside the first batch, which the batched drain now processes 2-3x faster.
BACKLOG_INVOICES, VERSIONS, BATCH = 750, 4, 1000


async def test_a_worker_stopped_mid_batch_releases_its_claim_and_exits_0(
    make_fleet: Callable[..., Fleet], database: AsyncEngine
) -> None:
    events = invoice_events("term", invoices=BACKLOG_INVOICES, versions=VERSIONS)
    await store_acknowledged(database, events)
    fleet = make_fleet(PORTAL_WORKER_BATCH_SIZE=str(BATCH), PORTAL_WORKER_LEASE_SECONDS="30")
    [first] = fleet.started(workers=1, prefix="first-")

    async def processing_started() -> bool:
        # A claim is committed before its events are processed; they are marked processed
        # only when their whole batch commits, so a held claim is what "mid-batch" looks like.
        return (await statuses(database))["processing"] > 0

    await eventually(processing_started, "the worker to be in its first batch")
    code = first.terminate()

    assert code == 0
    left = await statuses(database)
    assert left["processing"] == 0  # nothing waits for a 30 s lease
    released = worker_totals(first.log_text())["released_events"]
    assert released > 0
    assert left["processed"] + left["pending"] == len(events)
    assert logged(first.log_text(), "worker.stopped")

    [second] = fleet.started(workers=1, prefix="second-")

    async def all_processed() -> bool:
        return (await statuses(database))["processed"] == len(events)

    await eventually(all_processed, "the second worker to finish the backlog", within=120)
    assert second.terminate() == 0
    handled = worker_totals(first.log_text())["events"] + worker_totals(second.log_text())["events"]
    assert handled == len(events)  # nobody processed an event the other had processed
    assert await mirror(database) == newest_states(events)
    async with database.connect() as connection:
        held = text("SELECT count(*) FROM webhook_events WHERE locked_by IS NOT NULL")
        assert (await connection.execute(held)).scalar() == 0
    print(f"\nSIGTERM mid-batch: {released} events released, exit 0; the next worker did them")
