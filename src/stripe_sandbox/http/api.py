"""Stripe's v1 wire protocol over the store: auth, form decoding, idempotency, errors.

``handle(...)`` is synchronous (the store locks and writes files); the Litestar handler
runs it in a worker thread.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from ..errors import AuthenticationFailed, RateLimited, SandboxError, UnknownUrl
from ..ledger import RequestInfo
from ..objects import API_VERSION
from ..settings import SandboxSettings
from ..store import SandboxStore
from . import idempotency, routes
from .forms import parse_form


@dataclass(frozen=True)
class ApiRequest:
    method: str
    path: str
    query: str
    body: str
    authorization: str | None
    idempotency_key: str | None
    stripe_version: str | None


@dataclass(frozen=True)
class ApiResponse:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


class RateLimiter:
    """At most ``per_second`` requests in any one-second window (None: unlimited)."""

    def __init__(self, per_second: int | None) -> None:
        self.per_second = per_second
        self._recent: deque[float] = deque()
        self._lock = threading.Lock()

    def check(self) -> None:
        if self.per_second is None:
            return
        with self._lock:
            now = time.monotonic()
            while self._recent and self._recent[0] <= now - 1:
                self._recent.popleft()
            if len(self._recent) >= self.per_second:
                raise RateLimited()
            self._recent.append(now)


class StripeApi:
    """Turns one HTTP request into a store call and a Stripe-shaped response."""

    def __init__(self, store: SandboxStore, settings: SandboxSettings) -> None:
        self.store = store
        self.settings = settings
        self.limiter = RateLimiter(settings.rate_limit_per_second)

    def handle(self, request: ApiRequest) -> ApiResponse:
        request_id = "req_" + secrets.token_hex(7)
        headers = {
            "Request-Id": request_id,
            "Stripe-Version": request.stripe_version or API_VERSION,
        }
        try:
            self._authenticate(request.authorization)
            self.limiter.check()
            status, body, replayed = self._dispatch(request, request_id)
        except SandboxError as error:
            status, body, replayed = error.status, error.to_body(), False
            if error.status == 429:
                headers["Stripe-Should-Retry"] = "false"
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        if request.idempotency_key:
            headers["Idempotency-Key"] = request.idempotency_key
        return ApiResponse(status, body, headers)

    def _authenticate(self, authorization: str | None) -> None:
        if not authorization:
            raise AuthenticationFailed(
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY')."
            )
        scheme, _, key = authorization.partition(" ")
        prefix = self.settings.api_key_prefix
        if scheme.lower() != "bearer" or not key.startswith(prefix) or len(key) <= len(prefix):
            shown = f"{key[:8]}{'*' * 4}{key[-4:]}" if len(key) > 12 else key
            raise AuthenticationFailed(f"Invalid API Key provided: {shown}")

    def _dispatch(self, request: ApiRequest, request_id: str) -> tuple[int, dict[str, Any], bool]:
        found = routes.find(request.method, request.path)
        if found is None:
            raise UnknownUrl(request.method, request.path)
        handler, ids = found
        params = parse_form(request.query)
        if request.method == "POST" or (request.method == "DELETE" and request.body):
            params.update(parse_form(request.body))
        info = RequestInfo(request_id, request.idempotency_key)

        def execute() -> idempotency.Outcome:
            return 200, handler(self.store, params, info, *ids)

        if request.method != "POST" or not request.idempotency_key:
            status, body = execute()
            return status, body, False
        digest = idempotency.fingerprint(request.method, request.path, params)
        return idempotency.run_once(self.store, request.idempotency_key, digest, execute)
