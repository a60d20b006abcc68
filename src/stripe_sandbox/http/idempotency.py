"""``Idempotency-Key``: the first result for a key is replayed for the same parameters.

Reusing a key with other parameters (or another endpoint) is Stripe's 400
``idempotency_error``. Records live in the state file for 24 hours, like Stripe's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from ..errors import IdempotencyMismatch, InvalidRequest, SandboxError
from ..params import Params
from ..store import SandboxStore

RETENTION = 24 * 3600
Outcome = tuple[int, dict[str, Any]]


def fingerprint(method: str, path: str, params: Params) -> str:
    """A digest of the request that a replay must match."""
    canonical = json.dumps([method, path, params], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_once(
    store: SandboxStore, key: str, digest: str, execute: Callable[[], Outcome]
) -> tuple[int, dict[str, Any], bool]:
    """``(status, body, replayed)``: the stored outcome for ``key``, or ``execute()``'s."""
    if len(key) > 255:
        raise InvalidRequest("Idempotency keys may be at most 255 characters long.")
    with store.exclusive() as state:
        now = store.wall_time()
        for old in [k for k, r in state.idempotency.items() if r["created"] < now - RETENTION]:
            del state.idempotency[old]
        record = state.idempotency.get(key)
        if record is not None:
            if record["fingerprint"] != digest:
                raise IdempotencyMismatch(key)
            return record["status"], record["body"], True
        try:
            status, body = execute()
        except SandboxError as error:
            if error.status == 429:
                raise
            status, body = error.status, error.to_body()
        state = store.live_state()  # a failed operation replaced the state object
        state.idempotency[key] = {
            "fingerprint": digest,
            "status": status,
            "body": body,
            "created": now,
        }
        store.save()
        return status, body, False
