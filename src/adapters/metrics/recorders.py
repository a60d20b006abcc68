"""Recording what the HTTP edge sees on the instruments."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.metrics.instruments import (
    HTTP_DURATION,
    WEBHOOKS,
)


def record_http_request(method: str, route: str, status: int, seconds: float) -> None:
    HTTP_DURATION.labels(method=method, route=route, status=f"{status // 100}xx").observe(seconds)


def record_webhook(event: Mapping[str, object] | None, result: str) -> None:
    """``event`` is the verified payload (None when the signature failed: nothing in an
    unverified body is trusted, not even its type)."""
    kind = event.get("type") if event is not None else None
    WEBHOOKS.labels(type=kind if isinstance(kind, str) else "unknown", result=result).inc()
