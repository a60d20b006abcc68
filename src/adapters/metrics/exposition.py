"""The text a Prometheus server scrapes: the process's (or host's) instruments, then the
queue gauges read from the database at scrape time (the same from whichever process)."""

from __future__ import annotations

import os
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from application.operations.read_backlog import Backlog
from application.ports.queue_monitor import QueueDepth

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST


def multiprocess_mode() -> bool:
    return bool(os.environ.get(MULTIPROCESS_DIR_VARIABLE))


def render_metrics(backlog: Backlog | None) -> bytes:
    """Everything to scrape; ``backlog`` None means the database could not be read."""
    if multiprocess_mode():
        instruments = CollectorRegistry()
        MultiProcessCollector(instruments)  # type: ignore[no-untyped-call]
    else:
        instruments = REGISTRY
    gauges = CollectorRegistry(auto_describe=False)
    gauges.register(_BacklogCollector(backlog))
    return generate_latest(instruments) + generate_latest(gauges)


class _BacklogCollector(Collector):
    def __init__(self, backlog: Backlog | None) -> None:
        self._backlog = backlog

    def collect(self) -> Iterator[Metric]:
        backlog = self._backlog
        yield _gauge("database_up", "1 when the database answered this scrape", backlog is not None)
        if backlog is None:
            return
        queues = backlog.queues
        for name, depth in (("inbox", queues.inbox), ("outbox", queues.outbox)):
            yield from _queue_gauges(name, depth, backlog)
        last = backlog.age_seconds(queues.last_event_received_at)
        if last is not None:
            yield _gauge(
                "last_webhook_age_seconds", "Seconds since the last webhook event arrived", last
            )


def _queue_gauges(name: str, depth: QueueDepth, backlog: Backlog) -> Iterator[Metric]:
    what = "events" if name == "inbox" else "emails"
    yield _gauge(f"{name}_backlog", f"Pending {what}, scheduled retries included", depth.pending)
    yield _gauge(
        f"{name}_oldest_pending_age_seconds",
        f"Age of the oldest pending {what[:-1]} (0 when none)",
        backlog.age_seconds(depth.oldest_pending_at) or 0.0,
    )
    yield _gauge(f"{name}_parked", f"{what.capitalize()} parked as failed", depth.parked)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"billing_portal_{name}", documentation, value=float(value))
