"""Use case: keep the tables bounded (``billing-portal prune``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from application.operations.errors import RetentionTooShort
from application.ports.clock import Clock
from application.ports.data_retention import DataRetention, RetainedData
from application.ports.transaction_manager import TransactionManager

# Stripe lists (and `events recover` replays) events of the last 30 days: an event row
# removed earlier could be recovered, and processed, a second time.
MIN_INBOX_DAYS = 30


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How many days each kind of row is kept once it is done with."""

    inbox_days: int = 35
    outbox_days: int = 30
    rate_limit_days: int = 1
    audit_days: int = 365

    def days(self, data: RetainedData) -> int:
        return {
            RetainedData.INBOX: self.inbox_days,
            RetainedData.OUTBOX: self.outbox_days,
            RetainedData.RATE_LIMITS: self.rate_limit_days,
            RetainedData.AUDIT: self.audit_days,
        }[data]


@dataclass(frozen=True, slots=True)
class PruneResult:
    removed: dict[RetainedData, int]  # or, in a dry run, what would be
    dry_run: bool


class PruneData:
    """Deletes in batches of ``batch_size`` rows, one transaction each, so a batch holds
    its row locks briefly and the service keeps running. ``dry_run`` only counts.

    Raises ``RetentionTooShort`` for an inbox age under ``MIN_INBOX_DAYS`` or any age
    under one day.
    """

    def __init__(
        self, retention: DataRetention, clock: Clock, transaction: TransactionManager
    ) -> None:
        self._retention, self._clock, self._transaction = retention, clock, transaction

    async def execute(
        self, policy: RetentionPolicy, *, dry_run: bool = False, batch_size: int = 1000
    ) -> PruneResult:
        _check(policy)
        now = self._clock.now()
        removed: dict[RetainedData, int] = {}
        for data in RetainedData:
            before = now - timedelta(days=policy.days(data))
            if dry_run:
                removed[data] = await self._retention.count_expired(data, before=before)
            else:
                removed[data] = await self._delete_all(data, before, batch_size)
        return PruneResult(removed, dry_run)

    async def _delete_all(self, data: RetainedData, before: datetime, batch_size: int) -> int:
        total = 0
        while True:
            deleted = await self._retention.delete_expired(data, before=before, limit=batch_size)
            await self._transaction.commit()
            total += deleted
            if deleted < batch_size:
                return total


def _check(policy: RetentionPolicy) -> None:
    if policy.inbox_days < MIN_INBOX_DAYS:
        raise RetentionTooShort(
            f"the inbox must be kept at least {MIN_INBOX_DAYS} days (Stripe's event window; "
            f"a younger event could be recovered and processed again), not {policy.inbox_days}"
        )
    for data in RetainedData:
        if policy.days(data) < 1:
            raise RetentionTooShort(f"{data.value} must be kept at least 1 day")
