"""Recording the worker's batch results on the metrics instruments."""

from __future__ import annotations

from adapters.metrics.instruments import (
    EMAILS,
    EVENT_LAG,
    EVENTS,
    WORKER_BATCH_DURATION,
    WORKER_BATCH_ITEMS,
)
from application.sync.process_inbox_batch import InboxBatchResult
from application.sync.send_outbox_batch import OutboxBatchResult


def record_inbox_batch(result: InboxBatchResult, seconds: float) -> None:
    for event in result.results:
        EVENTS.labels(outcome=event.outcome.value).inc()
        if event.received_at is not None and event.finished_at is not None:
            lag = (event.finished_at - event.received_at).total_seconds()
            EVENT_LAG.labels(outcome=event.outcome.value).observe(max(0.0, lag))
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
