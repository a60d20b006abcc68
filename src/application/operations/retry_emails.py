"""Use case: queue emails again (``emails retry KEY`` or ``emails retry --failed``)."""

from __future__ import annotations

from application.operations.errors import EmailNotFound
from application.ports.clock import Clock
from application.ports.outbox import Outbox
from application.ports.transaction_manager import TransactionManager


class RetryEmails:
    """``key``: that message, whatever its status (a sent one is sent again, on purpose);
    None: every message parked as failed. Attempts restart at zero; the workers send.
    Returns how many were queued; raises ``EmailNotFound`` for an unknown key."""

    def __init__(self, outbox: Outbox, clock: Clock, transaction: TransactionManager) -> None:
        self._outbox, self._clock, self._transaction = outbox, clock, transaction

    async def execute(self, key: str | None = None) -> int:
        now = self._clock.now()
        if key is None:
            count = await self._outbox.requeue_failed(now=now)
        elif await self._outbox.requeue(key, now=now):
            count = 1
        else:
            raise EmailNotFound(f"no email {key!r} in the outbox; see `emails list`")
        await self._transaction.commit()
        return count
