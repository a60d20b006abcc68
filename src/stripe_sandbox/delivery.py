"""Webhook delivery: signed POSTs from a background thread, retried with backoff.

Each pending (event, endpoint) pair is POSTed as JSON with Stripe's signature header
``Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by the secret>``.
A 2xx marks it delivered (and lowers the event's ``pending_webhooks``); anything else is
retried after ``initial_backoff * 2**(attempt-1)`` seconds (capped at ``max_backoff``)
until ``max_attempts``, then marked failed. Schedules use real time, not the test clock.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from .store import SandboxStore


@dataclass(frozen=True)
class DeliveryPolicy:
    """How hard to try: backoff in seconds, attempts per event and endpoint, HTTP timeout."""

    initial_backoff: float = 1.0
    max_backoff: float = 300.0
    max_attempts: int = 12
    timeout: float = 5.0
    idle_poll: float = 1.0
    """How often to look for deliveries queued by another process (e.g. the CLI)."""


@dataclass(frozen=True)
class Delivery:
    event_id: str
    endpoint_id: str
    url: str
    secret: str
    payload: bytes


def sign(payload: bytes, secret: str, timestamp: int) -> str:
    """The ``Stripe-Signature`` header value for ``payload``."""
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class WebhookDispatcher:
    """Sends the store's pending deliveries from one background thread."""

    def __init__(self, store: SandboxStore, policy: DeliveryPolicy | None = None) -> None:
        self.store = store
        self.policy = policy or DeliveryPolicy()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        store.on_change(self._wake.set)

    def start(self) -> None:
        """Start the delivery thread (idempotent)."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the attempt in flight, if any, and wait for the thread to end."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        with httpx.Client(timeout=self.policy.timeout) as client:
            while not self._stop.is_set():
                self._wake.clear()
                for delivery in self._claim():
                    if self._stop.is_set():
                        break
                    self._record(delivery, self._send(client, delivery))
                self._wake.wait(self._idle_time())

    def _send(self, client: httpx.Client, delivery: Delivery) -> str | None:
        """POST one delivery; None on success, else a short reason."""
        signature = sign(delivery.payload, delivery.secret, int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": signature,
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        }
        try:
            response = client.post(delivery.url, content=delivery.payload, headers=headers)
        except httpx.HTTPError as error:
            return f"{type(error).__name__}: {error}"
        return None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"

    def _claim(self) -> list[Delivery]:
        now = self.store.wall_time()
        lease = now + self.policy.timeout + 1
        found = []
        with self.store.exclusive() as state:
            for event_id, targets in state.deliveries.items():
                for endpoint_id, record in targets.items():
                    if record["status"] != "pending" or record["next_attempt_at"] > now:
                        continue
                    endpoint = state.table("webhook_endpoint").get(endpoint_id)
                    event = state.table("event").get(event_id)
                    if endpoint is None or event is None:
                        continue
                    record["next_attempt_at"] = lease
                    payload = json.dumps(event, indent=2).encode()
                    secret = state.webhook_secrets[endpoint_id]
                    found.append(Delivery(event_id, endpoint_id, endpoint["url"], secret, payload))
        return found

    def _record(self, delivery: Delivery, error: str | None) -> None:
        with self.store.exclusive() as state:
            record = state.deliveries.get(delivery.event_id, {}).get(delivery.endpoint_id)
            if record is None:
                return
            record["attempts"] += 1
            record["error"] = error
            if error is None:
                record["status"] = "succeeded"
                event = state.table("event").get(delivery.event_id)
                if event is not None:
                    event["pending_webhooks"] = max(event["pending_webhooks"] - 1, 0)
            elif record["attempts"] >= self.policy.max_attempts:
                record["status"] = "failed"
            else:
                backoff = self.policy.initial_backoff * 2 ** (record["attempts"] - 1)
                wait = min(backoff, self.policy.max_backoff)
                record["next_attempt_at"] = self.store.wall_time() + wait
            self.store.save()

    def _idle_time(self) -> float:
        """Seconds until the next scheduled attempt (at most ``idle_poll``)."""
        with self.store.exclusive() as state:
            times = [
                record["next_attempt_at"]
                for targets in state.deliveries.values()
                for record in targets.values()
                if record["status"] == "pending"
            ]
        if not times:
            return self.policy.idle_poll
        return float(max(0.0, min(min(times) - self.store.wall_time(), self.policy.idle_poll)))
