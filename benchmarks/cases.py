"""The requests measured: each case sends one request and fails loudly on a wrong answer."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from stripe_sandbox import sign

from .stack import WEBHOOK_SECRET, Stack

HEALTHZ = "GET /healthz"
DIRECT = "sandbox: POST /v1/billing_portal/sessions"


@dataclass(frozen=True)
class Case:
    name: str
    baseline: str | None  # the case this one's cost is compared with (same run, same rounds)
    send: Callable[[], None]


def expect(response: httpx.Response, status: int, **fields: object) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    if response.status_code != status or any(body.get(k) != v for k, v in fields.items()):
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text[:300]}")
    return body


def event_body(event_id: str) -> bytes:
    customer = {"id": "cus_bench", "object": "customer", "email": "bench@bench.example"}
    event = {
        "id": event_id,
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "livemode": False,
        "type": "customer.updated",
        "data": {"object": customer},
    }
    return json.dumps(event).encode()


def build_cases(stack: Stack, app: httpx.Client, sandbox: httpx.Client) -> list[Case]:
    run = uuid.uuid4().hex[:12]  # event ids stay unique on a reused PostgreSQL database
    numbers = itertools.count()
    redirect_user = {"Authorization": f"Bearer {stack.tokens['bench_redirect']}"}
    portal_user = {"Authorization": f"Bearer {stack.tokens['bench_portal']}"}

    def post_event(body: bytes, *, duplicate: bool) -> None:
        headers = {"Stripe-Signature": sign(body, WEBHOOK_SECRET, int(time.time()))}
        expect(app.post("/api/webhooks/stripe", content=body, headers=headers), 200,
               duplicate=duplicate)  # fmt: skip

    def healthz() -> None:
        expect(app.get("/healthz"), 200)

    def new_event() -> None:
        post_event(event_body(f"evt_bench_{run}_{next(numbers)}"), duplicate=False)

    repeated = event_body(f"evt_bench_{run}_repeated")
    post_event(repeated, duplicate=False)  # stored once: every later POST is a redelivery

    def redelivery() -> None:
        post_event(repeated, duplicate=True)

    def redirect() -> None:
        response = app.post("/api/billing/portal-sessions", headers=redirect_user)
        expect(response, 200, action="redirect")

    def new_session() -> None:
        expect(app.post("/api/billing/portal-sessions", headers=portal_user), 201)

    # The provider call the app makes for bench_portal, made directly: same customer,
    # same configuration, same return URL.
    chosen = expect(app.post("/api/billing/portal-sessions", headers=portal_user), 201)
    listed = expect(sandbox.get("/v1/billing_portal/configurations?limit=100"), 200)
    [configuration] = [
        c["id"]
        for c in listed["data"]
        if c["metadata"].get("portal_catalog_name") == chosen["configuration"]
    ]
    app_base = stack.settings.portal.return_urls.app_base_url.rstrip("/")
    form = {
        "customer": stack.customers["bench_portal"],
        "configuration": configuration,
        "return_url": f"{app_base}/billing?action=portal_return",
    }

    def direct_session() -> None:
        expect(sandbox.post("/v1/billing_portal/sessions", data=form), 200)

    return [
        Case(HEALTHZ, None, healthz),
        Case("POST webhook, new event", HEALTHZ, new_event),
        Case("POST webhook, redelivery", HEALTHZ, redelivery),
        Case("POST portal-sessions, redirect", HEALTHZ, redirect),
        Case(DIRECT, None, direct_session),
        Case("POST portal-sessions, new session", DIRECT, new_session),
    ]
