from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from application.ports.event_inbox import EventInbox, EventStatus, InboxEvent

from .transaction_manager import Snapshotted


class FakeEventInbox(EventInbox, Snapshotted):
    """``events`` by id; a claim leases an event by moving its ``next_attempt_at``, and
    ``holders`` says whose claim it is until it is marked."""

    def __init__(self) -> None:
        self.events: dict[str, InboxEvent] = {}
        self.holders: dict[str, str] = {}

    async def store(self, event: InboxEvent) -> bool:
        if event.id in self.events:
            return False
        self.events[event.id] = event
        return True

    async def claim_due(
        self, *, worker_id: str, now: datetime, limit: int, lease_seconds: int
    ) -> list[InboxEvent]:
        due = [
            e for e in self.events.values()
            if e.status is EventStatus.PENDING and (e.next_attempt_at or now) <= now
        ]  # fmt: skip
        due.sort(key=lambda e: (e.created, e.id))
        claimed = due[:limit]
        for e in claimed:  # the lease: not due again until it ends
            self.events[e.id] = dataclasses.replace(
                e, next_attempt_at=now + timedelta(seconds=lease_seconds)
            )
            self.holders[e.id] = worker_id
        return claimed

    async def renew_leases(self, *, worker_id: str, now: datetime, lease_seconds: int) -> int:
        held = [i for i, holder in self.holders.items() if holder == worker_id]
        for event_id in held:
            self.events[event_id] = dataclasses.replace(
                self.events[event_id], next_attempt_at=now + timedelta(seconds=lease_seconds)
            )
        return len(held)

    async def release_claims(self, *, worker_id: str) -> int:
        held = [i for i, holder in self.holders.items() if holder == worker_id]
        for event_id in held:
            del self.holders[event_id]
            self.events[event_id] = dataclasses.replace(self.events[event_id], next_attempt_at=None)
        return len(held)

    async def held_by(self, *, worker_id: str, event_ids: list[str]) -> set[str]:
        return {i for i in event_ids if self.holders.get(i) == worker_id}

    async def mark_processed_many(self, event_ids: list[str], *, now: datetime) -> None:
        for event_id in event_ids:
            await self.mark_processed(event_id, now=now)

    async def mark_ignored_many(self, event_ids: list[str], *, now: datetime, note: str) -> None:
        for event_id in event_ids:
            await self.mark_ignored(event_id, now=now, note=note)

    async def mark_processed(self, event_id: str, *, now: datetime) -> None:
        self.holders.pop(event_id, None)
        event = self.events[event_id]
        self.events[event_id] = dataclasses.replace(
            event, status=EventStatus.PROCESSED, processed_at=now
        )

    async def mark_ignored(self, event_id: str, *, now: datetime, note: str) -> None:
        self.holders.pop(event_id, None)
        event = self.events[event_id]
        self.events[event_id] = dataclasses.replace(
            event, status=EventStatus.IGNORED, processed_at=now, note=note
        )

    async def mark_failed(
        self, event_id: str, *, now: datetime, error: str, retry_at: datetime | None
    ) -> None:
        self.holders.pop(event_id, None)
        event = self.events[event_id]
        self.events[event_id] = dataclasses.replace(
            event,
            status=EventStatus.PENDING if retry_at else EventStatus.FAILED,
            attempts=event.attempts + 1,
            next_attempt_at=retry_at,
            last_error=error,
        )

    async def get(self, event_id: str) -> InboxEvent | None:
        return self.events.get(event_id)

    async def list_events(
        self, *, status: EventStatus | None = None, type: str | None = None, limit: int = 100
    ) -> list[InboxEvent]:
        found = [
            e for e in self.events.values() if status in (None, e.status) and type in (None, e.type)
        ]
        return sorted(found, key=lambda e: e.created, reverse=True)[:limit]

    async def requeue(self, event_id: str, *, now: datetime) -> bool:
        if event_id not in self.events:
            return False
        self.events[event_id] = dataclasses.replace(
            self.events[event_id], status=EventStatus.PENDING, attempts=0, next_attempt_at=now
        )
        return True

    async def requeue_failed(self, *, now: datetime) -> int:
        failed = [i for i, e in self.events.items() if e.status is EventStatus.FAILED]
        for event_id in failed:
            await self.requeue(event_id, now=now)
        return len(failed)

    async def known_ids(self, event_ids: list[str]) -> set[str]:
        return {i for i in event_ids if i in self.events}
