"""POST /api/webhooks/stripe: verify, store in the inbox, answer; the workers do the rest.

No bearer token here: Stripe proves itself with the ``Stripe-Signature`` header. The
router that mounts this handler caps the body at PORTAL_WEBHOOK_MAX_BYTES (413 before the
rest is read).
"""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from dishka.integrations.litestar import FromDishka, inject
from litestar import Request, post
from litestar.openapi.datastructures import ResponseSpec

from adapters.metrics.recorders import record_webhook
from adapters.webhooks.signature import StripeSignatureVerifier
from application.errors import InvalidWebhook
from application.ports.clock import Clock
from application.sync.receive_event import ReceiveEvent
from entrypoints.http.billing_schemas import WebhookReceived

log = structlog.get_logger("entrypoints.http")
WORKER_WAKEUP = "sync_worker_wakeup"  # app.state key of the in-process worker's event


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(None, description=description, media_type="application/problem+json")


@post(
    "/stripe",
    summary="Receive a Stripe webhook event",
    description=(
        "Verifies `Stripe-Signature` on the raw body, checks `livemode`, stores the event in "
        "the inbox by its id and commits before answering 200. A duplicate answers 200 with "
        "`duplicate: true`. Any event type is accepted (the workers ignore unknown ones)."
    ),
    status_code=200,
    responses={
        400: _problem("Bad or missing signature, old timestamp, not an event, wrong livemode"),
        413: _problem("Body larger than PORTAL_WEBHOOK_MAX_BYTES"),
        503: _problem("Database unavailable: not stored, Stripe will retry"),
    },
    tags=["webhooks"],
)
@inject
async def receive_stripe_webhook(
    request: Request[Any, Any, Any],
    verifier: FromDishka[StripeSignatureVerifier],
    clock: FromDishka[Clock],
    receive: FromDishka[ReceiveEvent],
) -> WebhookReceived:
    body = await request.body()
    try:
        payload = verifier.verify(body, request.headers.get("stripe-signature"), now=clock.now())
    except InvalidWebhook:
        record_webhook(None, "rejected_signature")
        raise
    try:
        received = await receive.execute(payload)
    except InvalidWebhook:
        record_webhook(payload, "rejected_event")
        raise
    except Exception:
        record_webhook(payload, "failed")
        raise
    record_webhook(payload, "duplicate" if received.duplicate else "stored")
    log.info(
        "webhook.received",
        event_id=received.event_id,
        event_type=received.type,
        duplicate=received.duplicate,
    )
    wakeup = request.app.state.get(WORKER_WAKEUP)
    if isinstance(wakeup, asyncio.Event) and not received.duplicate:
        wakeup.set()
    return WebhookReceived(received=True, duplicate=received.duplicate)
