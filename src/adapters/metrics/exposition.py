"""The text a Prometheus server scrapes: the process's (or host's) instruments, then the
queue gauges read from the database at scrape time (the same from whichever process)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from application.ports.queue_monitor import QueueDepth, QueueSnapshot

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST


def multiprocess_mode() -> bool:
    return bool(os.environ.get(MULTIPROCESS_DIR_VARIABLE))


def render_metrics(queues: QueueSnapshot | None, read_at: datetime) -> bytes:
    """Everything to scrape; ``queues`` None means the database could not be read."""
    if multiprocess_mode():
        instruments = CollectorRegistry()
        MultiProcessCollector(instruments)  # type: ignore[no-untyped-call]
    else:
        instruments = REGISTRY
    gauges = CollectorRegistry(auto_describe=False)
    gauges.register(_BacklogCollector(queues, read_at))
    return generate_latest(instruments) + generate_latest(gauges)


class _BacklogCollector(Collector):
    def __init__(self, queues: QueueSnapshot | None, read_at: datetime) -> None:
        self._queues, self._read_at = queues, read_at

    def age_seconds(self, moment: datetime | None) -> float | None:
        return None if moment is None else max(0.0, (self._read_at - moment).total_seconds())

    def collect(self) -> Iterator[Metric]:
        queues = self._queues
        yield _gauge("database_up", "1 when the database answered this scrape", queues is not None)
        if queues is None:
            return
        for name, depth in (("inbox", queues.inbox), ("outbox", queues.outbox)):
            yield from _queue_gauges(name, depth, self.age_seconds(depth.oldest_pending_at))
        last = self.age_seconds(queues.last_event_received_at)
        if last is not None:
            yield _gauge(
                "last_webhook_age_seconds", "Seconds since the last webhook event arrived", last
            )


def _queue_gauges(name: str, depth: QueueDepth, oldest_age: float | None) -> Iterator[Metric]:
    what = "events" if name == "inbox" else "emails"
    yield _gauge(f"{name}_backlog", f"Pending {what}, scheduled retries included", depth.pending)
    yield _gauge(
        f"{name}_oldest_pending_age_seconds",
        f"Age of the oldest pending {what[:-1]} (0 when none)",
        oldest_age or 0.0,
    )
    yield _gauge(f"{name}_parked", f"{what.capitalize()} parked as failed", depth.parked)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"billing_portal_{name}", documentation, value=float(value))
