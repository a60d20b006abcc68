"""Stripe-shaped event bodies and ``Stripe-Signature`` headers, as Stripe would send them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any

CURRENT_SECRET = "whsec_http_tests_current_secret"
PREVIOUS_SECRET = "whsec_http_tests_previous_secret"
WEBHOOK_ENV = {"STRIPE_WEBHOOK_SECRETS": f"{CURRENT_SECRET},{PREVIOUS_SECRET}"}
URL = "/api/webhooks/stripe"


def event_body(
    event_type: str = "customer.subscription.updated",
    *,
    event_id: str | None = None,
    livemode: bool = False,
    data_object: dict[str, Any] | None = None,
) -> bytes:
    event = {
        "id": event_id or f"evt_{uuid.uuid4().hex[:20]}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "livemode": livemode,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
        "data": {"object": data_object or {"id": "sub_123", "object": "subscription"}},
    }
    return json.dumps(event).encode()


def signature(body: bytes, secret: str = CURRENT_SECRET, timestamp: int | None = None) -> str:
    at = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def signed_headers(body: bytes, **kwargs: Any) -> dict[str, str]:
    return {"Stripe-Signature": signature(body, **kwargs), "Content-Type": "application/json"}


def event_id_of(body: bytes) -> str:
    event_id: str = json.loads(body)["id"]
    return event_id
