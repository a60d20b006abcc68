"""Signed Stripe-shaped invoice events, sent the way Stripe sends them, and what they imply.

Each invoice goes through ``versions`` events, one provider second apart (so the ordering
rule never needs Stripe to break a tie); every ``invoice.payment_failed`` queues one email
(its key: the event id and the template). ``Sender`` posts events with bounded
concurrency, round-robin over the API processes, and redelivers an event until some API
acknowledges it (2xx), as Stripe does: a refused connection or a 5xx moves to the next API.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx
from fleet import WEBHOOK_SECRET

BASE_CREATED = 1_780_000_000  # provider time of every first version (2026)
TYPES = ("invoice.created", "invoice.finalized", "invoice.payment_failed", "invoice.paid")
STATUS = {"invoice.created": "draft", "invoice.paid": "paid"}
EMAILING_TYPE = "invoice.payment_failed"


@dataclass(frozen=True)
class InvoiceEvent:
    id: str
    type: str
    invoice_id: str
    version: int
    body: bytes

    @property
    def email_key(self) -> str | None:
        return f"{self.id}:payment_failed" if self.type == EMAILING_TYPE else None


def invoice_event(run: str, invoice: int, version: int) -> InvoiceEvent:
    event_type = TYPES[version % len(TYPES)]
    invoice_id, event_id = f"in_{run}_{invoice:05}", f"evt_{run}_{invoice:05}_{version:02}"
    created = BASE_CREATED + invoice * 100 + version
    obj = {
        "id": invoice_id, "object": "invoice", "customer": f"cus_{run}_{invoice % 50:02}",
        "customer_email": f"billing+{invoice % 50}@customer.example", "status":
        STATUS.get(event_type, "open"), "number": f"{run.upper()}-{invoice:05}",
        "amount_due": 1000 + version, "amount_paid": 0, "total": 1000 + version,
        "currency": "usd", "created": BASE_CREATED + invoice * 100,
        "hosted_invoice_url": f"https://invoice.stripe.example/{invoice_id}",
    }  # fmt: skip
    envelope = {
        "id": event_id, "object": "event", "api_version": "2026-10-28.endive",
        "created": created, "livemode": False, "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None}, "type": event_type,
        "data": {"object": obj},
    }  # fmt: skip
    return InvoiceEvent(event_id, event_type, invoice_id, version, json.dumps(envelope).encode())


def invoice_events(run: str, *, invoices: int, versions: int) -> list[InvoiceEvent]:
    return [invoice_event(run, i, v) for i in range(invoices) for v in range(versions)]


def newest_states(events: Sequence[InvoiceEvent]) -> dict[str, tuple[str, int]]:
    """For each invoice: the id of its newest event and the amount due that event tells."""
    newest: dict[str, InvoiceEvent] = {}
    for event in events:
        held = newest.get(event.invoice_id)
        if held is None or event.version > held.version:
            newest[event.invoice_id] = event
    return {i: (e.id, 1000 + e.version) for i, e in newest.items()}


def deliveries(
    events: Sequence[InvoiceEvent], *, duplicate_share: float, seed: int
) -> list[InvoiceEvent]:
    """Every event, ``duplicate_share`` of them twice, in a shuffled order."""
    chooser = random.Random(seed)
    sent = list(events) + [e for e in events if chooser.random() < duplicate_share]
    chooser.shuffle(sent)
    return sent


def signature(body: bytes, secret: str = WEBHOOK_SECRET) -> str:
    at = int(time.time())
    digest = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


@dataclass
class Sender:
    """Posts events to ``api_urls`` (a list the test may change while it runs)."""

    api_urls: list[str]
    concurrency: int = 12
    acknowledged: Counter[str] = field(default_factory=Counter)  # event id -> 2xx answers
    duplicates_answered: int = 0  # 2xx answers that said "duplicate": true
    refused: Counter[str] = field(default_factory=Counter)  # why a delivery was retried
    _turn: itertools.count[int] = field(default_factory=itertools.count)

    async def send_all(self, events: Sequence[InvoiceEvent]) -> None:
        gate = asyncio.Semaphore(self.concurrency)
        limits = httpx.Limits(max_connections=self.concurrency * 2)
        async with httpx.AsyncClient(timeout=20, limits=limits) as client:

            async def one(event: InvoiceEvent) -> None:
                async with gate:
                    await self.deliver(client, event)

            await asyncio.gather(*(one(e) for e in events))

    async def deliver(self, client: httpx.AsyncClient, event: InvoiceEvent) -> None:
        deadline = time.monotonic() + 60
        while True:
            url = self.api_urls[next(self._turn) % len(self.api_urls)]
            try:
                response = await client.post(
                    f"{url}/api/webhooks/stripe", content=event.body,
                    headers={"Stripe-Signature": signature(event.body),
                             "Content-Type": "application/json"},
                )  # fmt: skip
            except httpx.TransportError as error:  # that API is down: Stripe retries later
                self.refused[type(error).__name__] += 1
            else:
                if response.is_success:
                    self.acknowledged[event.id] += 1
                    self.duplicates_answered += bool(response.json().get("duplicate"))
                    return
                assert response.status_code >= 500, (response.status_code, response.text)
                self.refused[f"http {response.status_code}"] += 1
            if time.monotonic() > deadline:
                raise AssertionError(f"{event.id} was never acknowledged within 60 s")
            await asyncio.sleep(0.05)  # Stripe's retry pacing, much shortened
