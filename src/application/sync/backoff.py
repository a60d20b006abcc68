"""When to try again after a failure: exponential, capped, then give up."""

from __future__ import annotations

from datetime import datetime, timedelta

from application.sync.settings import SyncSettings


def next_attempt(attempts_so_far: int, now: datetime, settings: SyncSettings) -> datetime | None:
    """After failure number ``attempts_so_far + 1``: when to retry, or None to park it."""
    failures = attempts_so_far + 1
    if failures >= settings.max_attempts:
        return None
    delay = min(settings.backoff_base_seconds * 2 ** (failures - 1), settings.backoff_cap_seconds)
    return now + timedelta(seconds=delay)
