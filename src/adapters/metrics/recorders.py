"""Recording what the HTTP edge sees on the instruments."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from adapters.metrics.instruments import (
    HTTP_DURATION,
    WEBHOOKS,
)


# A labelled child is looked up once per label set (``labels()`` on every request was ~5%
# of a webhook delivery's CPU); the caches are bounded, the instruments' own children not.
@lru_cache(maxsize=1024)
def _http_duration(method: str, route: str, status: str) -> Any:
    return HTTP_DURATION.labels(method=method, route=route, status=status)


@lru_cache(maxsize=1024)
def _webhooks(kind: str, result: str) -> Any:
    return WEBHOOKS.labels(type=kind, result=result)


def record_http_request(method: str, route: str, status: int, seconds: float) -> None:
    _http_duration(method, route, f"{status // 100}xx").observe(seconds)


def record_webhook(event: Mapping[str, object] | None, result: str) -> None:
    """``event`` is the verified payload (None when the signature failed: nothing in an
    unverified body is trusted, not even its type)."""
    kind = event.get("type") if event is not None else None
    _webhooks(kind if isinstance(kind, str) else "unknown", result).inc()
