"""The stripe SDK's HTTPX client, timing and counting every call by operation."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlsplit

import stripe

from adapters.metrics.instruments import STRIPE_DURATION, STRIPE_REQUESTS

# An object id: a lowercase prefix, "_", then random characters with a digit or capital
# (cus_Nf3..., sub_1Q..., bpc_...). Resource words (payment_methods, billing_portal) have none.
_OBJECT_ID = re.compile(r"[a-z]+_[A-Za-z0-9_]*[A-Z0-9][A-Za-z0-9_]*")


def operation_of(method: str, url: str) -> str:
    """``POST /v1/customers/{id}``: the call's method and path with ids replaced."""
    segments = [
        "{id}" if _OBJECT_ID.fullmatch(part) else part for part in urlsplit(url).path.split("/")
    ]
    return f"{method.upper()} {'/'.join(segments) or '/'}"


def result_of(status: int) -> str:
    if status < 400:
        return "ok"
    if status == 429:
        return "rate_limited"
    return "client_error" if status < 500 else "server_error"


class MeteredHTTPXClient(stripe.HTTPXClient):
    """``stripe.HTTPXClient`` recording ``billing_portal_stripe_requests_total`` and the
    request duration; one sample per SDK call, its network retries included."""

    async def request_with_retries_async(
        self,
        method: str,
        url: str,
        headers: Any,
        post_data: Any = None,
        max_network_retries: int | None = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[Any, int, Any]:
        operation = operation_of(method, url)
        started = time.perf_counter()
        result = "connection_error"
        try:
            response = await super().request_with_retries_async(
                method, url, headers, post_data, max_network_retries, _usage=_usage
            )
            result = result_of(response[1])
            return response
        finally:
            STRIPE_DURATION.labels(operation=operation).observe(time.perf_counter() - started)
            STRIPE_REQUESTS.labels(operation=operation, result=result).inc()
