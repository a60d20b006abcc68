from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from application.ports.outbox import Outbox, OutboxMessage, OutboxStatus

from .transaction_manager import Snapshotted


class FakeOutbox(Outbox, Snapshotted):
    """``messages`` by key; a claim leases a message by moving its ``next_attempt_at``,
    and ``holders`` says whose claim it is until it is marked."""

    def __init__(self) -> None:
        self.messages: dict[str, OutboxMessage] = {}
        self.holders: dict[str, str] = {}

    async def enqueue(self, message: OutboxMessage) -> bool:
        if message.key in self.messages:
            return False
        self.messages[message.key] = message
        return True

    async def claim_due(
        self, *, worker_id: str, now: datetime, limit: int, lease_seconds: int
    ) -> list[OutboxMessage]:
        due = [
            m for m in self.messages.values()
            if m.status is OutboxStatus.PENDING and (m.next_attempt_at or now) <= now
        ][:limit]  # fmt: skip
        for m in due:
            self.messages[m.key] = dataclasses.replace(
                m, next_attempt_at=now + timedelta(seconds=lease_seconds)
            )
            self.holders[m.key] = worker_id
        return due

    async def renew_leases(self, *, worker_id: str, now: datetime, lease_seconds: int) -> int:
        held = [k for k, holder in self.holders.items() if holder == worker_id]
        for key in held:
            self.messages[key] = dataclasses.replace(
                self.messages[key], next_attempt_at=now + timedelta(seconds=lease_seconds)
            )
        return len(held)

    async def release_claims(self, *, worker_id: str) -> int:
        held = [k for k, holder in self.holders.items() if holder == worker_id]
        for key in held:
            del self.holders[key]
            self.messages[key] = dataclasses.replace(self.messages[key], next_attempt_at=None)
        return len(held)

    async def mark_sent(self, key: str, *, now: datetime) -> None:
        self.holders.pop(key, None)
        self.messages[key] = dataclasses.replace(
            self.messages[key], status=OutboxStatus.SENT, sent_at=now
        )

    async def mark_sent_committed(self, key: str, *, now: datetime) -> None:
        await self.mark_sent(key, now=now)
        self._commit()  # nothing else is pending: only this mark is made durable

    async def mark_failed(
        self, key: str, *, now: datetime, error: str, retry_at: datetime | None
    ) -> None:
        self.holders.pop(key, None)
        m = self.messages[key]
        self.messages[key] = dataclasses.replace(
            m,
            status=OutboxStatus.PENDING if retry_at else OutboxStatus.FAILED,
            attempts=m.attempts + 1,
            next_attempt_at=retry_at,
            last_error=error,
        )

    async def list_messages(
        self, *, status: OutboxStatus | None = None, limit: int = 100
    ) -> list[OutboxMessage]:
        newest = sorted(self.messages.values(), key=lambda m: m.created_at, reverse=True)
        return [m for m in newest if status is None or m.status is status][:limit]

    async def requeue(self, key: str, *, now: datetime) -> bool:
        if key not in self.messages:
            return False
        self.messages[key] = dataclasses.replace(
            self.messages[key], status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now,
            sent_at=None,
        )  # fmt: skip
        return True

    async def requeue_failed(self, *, now: datetime) -> int:
        failed = [k for k, m in self.messages.items() if m.status is OutboxStatus.FAILED]
        for key in failed:
            await self.requeue(key, now=now)
        return len(failed)
