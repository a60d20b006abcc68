"""Realistic signed Stripe events for ``wrk``: the sandbox's own events, given new ids.

The templates are the events the sandbox emitted while it seeded the bench customers
(customers, cards, subscriptions, invoices: 1 to 4 KB each, as Stripe sends them). Each
minted event gets a fresh id; a template used again is moved later in time (``created``),
as the next change of the same object would be, so the workers write it again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import httpx

# The event types a renewal day brings; the sandbox emits all of them while seeding.
EVENT_TYPES = (
    "customer.created",
    "customer.updated",
    "payment_method.attached",
    "customer.subscription.created",
    "customer.subscription.updated",
    "invoice.created",
    "invoice.finalized",
    "invoice.paid",
    "invoice.payment_succeeded",
)


def stripe_signature(body: bytes, secret: str, timestamp: int) -> str:
    """``Stripe-Signature`` as Stripe computes it: HMAC-SHA256 of ``f"{t}.{body}"``."""
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def fetch_templates(sandbox_url: str, api_key: str, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` of the sandbox's events of ``EVENT_TYPES``, newest first."""
    found: list[dict[str, Any]] = []
    params: dict[str, str] = {"limit": "100"}
    headers = {"Authorization": f"Bearer {api_key}"}
    with httpx.Client(base_url=sandbox_url, headers=headers, timeout=60) as client:
        while len(found) < limit:
            page = client.get("/v1/events", params=params).raise_for_status().json()
            found += [e for e in page["data"] if e["type"] in EVENT_TYPES]
            if not page["has_more"] or not page["data"]:
                break
            params["starting_after"] = page["data"][-1]["id"]
    if not found:
        raise RuntimeError("the sandbox has no events to use as templates")
    return found[:limit]


def mint_events(
    templates: list[dict[str, Any]], prefix: str, count: int, *, start: int = 0
) -> Iterator[dict[str, Any]]:
    """``count`` events with ids ``evt_<prefix>_<n>``, cycling through the templates."""
    for n in range(start, start + count):
        template = templates[n % len(templates)]
        cycle = n // len(templates)
        yield {**template, "id": f"evt_{prefix}_{n:07d}", "created": template["created"] + cycle}


def signed_lines(
    events: Iterator[dict[str, Any]], secret: str, timestamp: int
) -> Iterator[tuple[str, bytes]]:
    """``(Stripe-Signature, body)`` per event: compact JSON, one line each."""
    for event in events:
        body = json.dumps(event, separators=(",", ":")).encode()
        yield stripe_signature(body, secret, timestamp), body
