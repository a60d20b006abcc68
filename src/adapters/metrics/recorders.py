"""Recording the application's results on the instruments (called by the edges)."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.metrics.instruments import (
    EMAILS,
    EVENTS,
    HTTP_DURATION,
    WEBHOOKS,
    WORKER_BATCH_DURATION,
    WORKER_BATCH_ITEMS,
)
from application.sync.process_inbox_batch import InboxBatchResult
from application.sync.send_outbox_batch import OutboxBatchResult


def record_inbox_batch(result: InboxBatchResult, seconds: float) -> None:
    for event in result.results:
        EVENTS.labels(outcome=event.outcome.value).inc()
    _batch("inbox", result.claimed, seconds)


def record_outbox_batch(result: OutboxBatchResult, seconds: float) -> None:
    for outcome, keys in (
        ("sent", result.sent),
        ("retrying", result.retrying),
        ("parked", result.parked),
    ):
        if keys:
            EMAILS.labels(outcome=outcome).inc(len(keys))
    _batch("outbox", len(result.sent) + len(result.retrying) + len(result.parked), seconds)


def _batch(queue: str, items: int, seconds: float) -> None:
    if items:  # idle polls would drown the distribution in near-zero samples
        WORKER_BATCH_DURATION.labels(queue=queue).observe(seconds)
        WORKER_BATCH_ITEMS.labels(queue=queue).inc(items)


def record_http_request(method: str, route: str, status: int, seconds: float) -> None:
    HTTP_DURATION.labels(method=method, route=route, status=f"{status // 100}xx").observe(seconds)


def record_webhook(event: Mapping[str, object] | None, result: str) -> None:
    """``event`` is the verified payload (None when the signature failed: nothing in an
    unverified body is trusted, not even its type)."""
    kind = event.get("type") if event is not None else None
    WEBHOOKS.labels(type=kind if isinstance(kind, str) else "unknown", result=result).inc()
