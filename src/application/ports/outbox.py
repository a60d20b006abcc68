from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # parked after the last retry


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """An email to send: rendered at send time from ``template`` and its JSON ``context``.

    ``key`` (event id and template) is unique: the same event never enqueues twice.
    """

    key: str
    template: str
    to: str
    created_at: datetime
    context: Mapping[str, object] = field(default_factory=dict)
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None


class Outbox(Protocol):
    """Messages written in the same unit of work as the state change; nothing here commits.

    ``claim_due`` must let several workers run at once (Postgres: ``FOR UPDATE SKIP LOCKED``).
    """

    async def enqueue(self, message: OutboxMessage) -> bool:
        """Keep ``message`` unless its key is known (then do nothing); True when new."""
        ...

    async def claim_due(
        self, *, worker_id: str, now: datetime, limit: int, lease_seconds: int
    ) -> list[OutboxMessage]:
        """Up to ``limit`` pending messages due at ``now``, oldest first, leased to the worker."""
        ...

    async def renew_leases(self, *, worker_id: str, now: datetime, lease_seconds: int) -> int:
        """Extend to ``now + lease_seconds`` the lease of every message ``worker_id`` has
        claimed and not yet marked (its heartbeat while a batch runs); how many. A claim
        another worker took over after the lease ran out is not renewed."""
        ...

    async def release_claims(self, *, worker_id: str) -> int:
        """Give back every message ``worker_id`` has claimed and not yet marked (a worker
        stopping mid-batch): due again at once for any worker; how many."""
        ...

    async def mark_sent(self, key: str, *, now: datetime) -> None: ...

    async def mark_sent_committed(self, key: str, *, now: datetime) -> None:
        """``mark_sent``, committed at once on its own: the one method here that commits.
        For a caller with nothing else pending in its unit of work (the sender, right
        after each message went out, so that a sent message is recorded before the next
        is sent). A failure raises ``PersistenceUnavailable`` and leaves nothing pending."""
        ...

    async def mark_failed(
        self, key: str, *, now: datetime, error: str, retry_at: datetime | None
    ) -> None:
        """Count a failed attempt; pending again at ``retry_at``, or parked if None."""
        ...

    async def list_messages(
        self, *, status: OutboxStatus | None = None, limit: int = 100
    ) -> list[OutboxMessage]:
        """Newest first; a claimed message counts as pending."""
        ...

    async def requeue(self, key: str, *, now: datetime) -> bool:
        """Pending again now with no attempts counted; False if the key is unknown.
        A message already sent is sent again: the caller asked for it by key."""
        ...

    async def requeue_failed(self, *, now: datetime) -> int:
        """Every parked message back to pending; how many."""
        ...
