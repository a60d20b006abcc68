"""Signed ``customer.updated`` events, and lanes that deliver them the way Stripe does:
each event again and again until a 2xx, every answer recorded with its times."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

WEBHOOK_PATH = "/api/webhooks/stripe"
RETRY_PAUSE_SECONDS = 0.05  # Stripe's own retries are minutes apart; keep the test short
CREATED_AT = 1_790_000_000  # the provider's clock for version 0; each version one second on


@dataclass(frozen=True)
class SentEvent:
    event_id: str
    customer_id: str
    version: int
    body: bytes

    @property
    def name(self) -> str:
        return name_of(self.customer_id, self.version)


@dataclass(frozen=True)
class Answer:
    event_id: str
    sent_at: float
    answered_at: float
    status: int  # 0: no HTTP answer at all (connection failure)
    body: dict[str, Any]


def name_of(customer_id: str, version: int) -> str:
    return f"{customer_id} v{version}"


def customer_events(run: str, customers: int, versions: int) -> list[SentEvent]:
    """``versions`` successive states of each customer, one second apart at the provider."""
    events = []
    for c in range(customers):
        customer_id = f"cus_{run}_{c:03d}"
        for v in range(versions):
            event_id = f"evt_{run}_{c:03d}_{v}"
            data = {
                "id": customer_id,
                "object": "customer",
                "email": f"{customer_id}.v{v}@faults.example",
                "name": name_of(customer_id, v),
                "address": None,
                "phone": None,
                "invoice_settings": {"default_payment_method": None},
                "deleted": False,
            }
            envelope = {
                "id": event_id,
                "object": "event",
                "api_version": "2026-10-28.endive",
                "created": CREATED_AT + v,
                "livemode": False,
                "pending_webhooks": 1,
                "request": {"id": None, "idempotency_key": None},
                "type": "customer.updated",
                "data": {"object": data, "previous_attributes": {"name": "before"}},
            }
            body = json.dumps(envelope).encode()
            events.append(SentEvent(event_id, customer_id, v, body))
    return events


def signed(body: bytes, secret: str) -> dict[str, str]:
    at = int(time.time())
    digest = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={at},v1={digest}", "Content-Type": "application/json"}


@dataclass
class StripeLikeSender:
    """``lanes`` concurrent deliverers over a shuffled share of the events each."""

    client: httpx.AsyncClient
    secret: str
    answers: list[Answer] = field(default_factory=list)
    acknowledged: set[str] = field(default_factory=set)

    async def deliver_once(self, event: SentEvent) -> Answer:
        sent_at = time.monotonic()
        try:
            response = await self.client.post(
                WEBHOOK_PATH, content=event.body, headers=signed(event.body, self.secret)
            )
            status, body = response.status_code, _json(response)
        except httpx.TransportError as error:
            status, body = 0, {"transport_error": type(error).__name__}
        answer = Answer(event.event_id, sent_at, time.monotonic(), status, body)
        self.answers.append(answer)
        return answer

    async def deliver_until_acknowledged(self, event: SentEvent) -> None:
        while True:
            if 200 <= (await self.deliver_once(event)).status < 300:
                self.acknowledged.add(event.event_id)
                return
            await asyncio.sleep(RETRY_PAUSE_SECONDS)  # pacing of the retries, not a wait

    async def deliver_all(self, events: list[SentEvent], lanes: int, seed: int) -> None:
        shuffled = events[:]
        random.Random(seed).shuffle(shuffled)

        async def lane(share: list[SentEvent]) -> None:
            for event in share:
                await self.deliver_until_acknowledged(event)

        await asyncio.gather(*(lane(shuffled[n::lanes]) for n in range(lanes)))


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"text": response.text[:200]}
    return body if isinstance(body, dict) else {"json": body}
