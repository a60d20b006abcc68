from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol


class RetainedData(StrEnum):
    """What ``prune`` may remove, each by its own age."""

    INBOX = "inbox"  # processed and ignored events (never pending or failed ones)
    OUTBOX = "outbox"  # sent emails (never pending or failed ones)
    RATE_LIMITS = "rate_limits"  # rate-limit counters whose window has expired
    AUDIT = "audit"  # portal access attempts and billing audit entries


class DataRetention(Protocol):
    """Finds and deletes rows that are done with and older than a moment; nothing here
    commits (the caller commits after each batch, so no lock is held for long)."""

    async def count_expired(self, data: RetainedData, *, before: datetime) -> int: ...

    async def delete_expired(self, data: RetainedData, *, before: datetime, limit: int) -> int:
        """Delete at most ``limit`` of them (oldest first); how many were deleted."""
        ...
