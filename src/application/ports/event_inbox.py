from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class EventStatus(StrEnum):
    PENDING = "pending"  # waiting for a worker (first attempt or a retry at next_attempt_at)
    PROCESSED = "processed"
    IGNORED = "ignored"  # a type we do not handle, kept for the record
    FAILED = "failed"  # parked after the last retry; ``events retry-failed`` brings it back


@dataclass(frozen=True, slots=True)
class InboxEvent:
    """A verified provider event, stored once by its id. ``payload`` is the whole JSON."""

    id: str
    type: str
    created: datetime
    livemode: bool
    payload: Mapping[str, object]
    received_at: datetime
    status: EventStatus = EventStatus.PENDING
    attempts: int = 0  # failed attempts so far
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    processed_at: datetime | None = None
    note: str | None = None  # why it was ignored


class EventInbox(Protocol):
    """The durable inbox of provider events; nothing here commits (the caller does).

    ``claim_due`` must let several workers run at once (Postgres: ``FOR UPDATE SKIP
    LOCKED``): an event is claimed by one worker until its lease ends.
    """

    async def store(self, event: InboxEvent) -> bool:
        """Keep ``event`` unless its id is known; True when it was new."""
        ...

    async def claim_due(
        self, *, worker_id: str, now: datetime, limit: int, lease_seconds: int
    ) -> list[InboxEvent]:
        """Up to ``limit`` pending events whose ``next_attempt_at`` is past (oldest first),
        or whose previous claim's lease has run out, leased to ``worker_id``."""
        ...

    async def renew_leases(self, *, worker_id: str, now: datetime, lease_seconds: int) -> int:
        """Extend to ``now + lease_seconds`` the lease of every event ``worker_id`` has
        claimed and not yet marked (its heartbeat while a batch runs); how many. A claim
        another worker took over after the lease ran out is not renewed."""
        ...

    async def release_claims(self, *, worker_id: str) -> int:
        """Give back every event ``worker_id`` has claimed and not yet marked (a worker
        stopping mid-batch): pending again at once for any worker, as if never claimed;
        how many."""
        ...

    async def held_by(self, *, worker_id: str, event_ids: list[str]) -> set[str]:
        """Which of ``event_ids`` ``worker_id`` still holds claimed and unmarked (neither
        marked by a commit whose answer was lost, nor taken over after the lease)."""
        ...

    async def mark_processed(self, event_id: str, *, now: datetime) -> None: ...

    async def mark_processed_many(self, event_ids: list[str], *, now: datetime) -> None:
        """``mark_processed`` of every one of ``event_ids`` at once."""
        ...

    async def mark_ignored(self, event_id: str, *, now: datetime, note: str) -> None: ...

    async def mark_ignored_many(self, event_ids: list[str], *, now: datetime, note: str) -> None:
        """``mark_ignored`` of every one of ``event_ids`` at once, with the same note."""
        ...

    async def mark_failed(
        self, event_id: str, *, now: datetime, error: str, retry_at: datetime | None
    ) -> None:
        """Count a failed attempt; pending again at ``retry_at``, or parked as failed if None."""
        ...

    async def get(self, event_id: str) -> InboxEvent | None: ...

    async def list_events(
        self, *, status: EventStatus | None = None, type: str | None = None, limit: int = 100
    ) -> list[InboxEvent]:
        """Newest first."""
        ...

    async def requeue(self, event_id: str, *, now: datetime) -> bool:
        """Pending again now with no attempts counted (replay); False if the id is unknown."""
        ...

    async def requeue_failed(self, *, now: datetime) -> int:
        """Every parked event back to pending; how many."""
        ...

    async def known_ids(self, event_ids: list[str]) -> set[str]:
        """Which of ``event_ids`` the inbox already holds (recovery)."""
        ...
