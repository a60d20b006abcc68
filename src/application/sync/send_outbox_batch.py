"""Use case: send the emails that are due, each at most once."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from application.errors import ApplicationError, EmailNotRenderable
from application.ports.clock import Clock
from application.ports.email_renderer import EmailRenderer
from application.ports.mailer import EmailMessage, Mailer
from application.ports.outbox import Outbox, OutboxMessage
from application.ports.transaction_manager import TransactionManager
from application.sync.backoff import next_attempt
from application.sync.settings import SyncSettings


def message_id(key: str, domain: str) -> str:
    """The same outbox key always gives the same Message-ID, so a resend is recognisable."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


@dataclass(frozen=True, slots=True)
class OutboxBatchResult:
    sent: tuple[str, ...]
    retrying: tuple[str, ...]
    parked: tuple[str, ...]
    released: int = 0  # claimed, then given back unsent because the worker is stopping


class SendOutboxBatch:
    """Claim due messages, render and send each, and mark it sent in its own commit.

    A message marked sent is never claimed again. A failure (the mail server, a template)
    is retried with backoff and parked after ``max_attempts``; an unknown template is
    parked at once. ``message_id_domain`` is the right-hand side of every Message-ID.
    Once ``stopping`` says yes (asked before each message), the rest of the claim is
    released for any worker at once and the batch ends.
    """

    def __init__(
        self,
        outbox: Outbox,
        renderer: EmailRenderer,
        mailer: Mailer,
        clock: Clock,
        transaction: TransactionManager,
        settings: SyncSettings,
        message_id_domain: str,
    ) -> None:
        self._outbox, self._renderer, self._mailer = outbox, renderer, mailer
        self._clock, self._transaction, self._settings = clock, transaction, settings
        self._domain = message_id_domain

    async def execute(
        self, *, worker_id: str, limit: int = 50, stopping: Callable[[], bool] = lambda: False
    ) -> OutboxBatchResult:
        claimed = await self._outbox.claim_due(
            worker_id=worker_id,
            now=self._clock.now(),
            limit=limit,
            lease_seconds=self._settings.lease_seconds,
        )
        await self._transaction.commit()
        sent: list[str] = []
        retrying: list[str] = []
        parked: list[str] = []
        for message in claimed:
            if stopping():
                released = await self._outbox.release_claims(worker_id=worker_id)
                await self._transaction.commit()
                return OutboxBatchResult(tuple(sent), tuple(retrying), tuple(parked), released)
            try:
                await self._mailer.send(self._render(message))
            except ApplicationError as error:
                now = self._clock.now()
                retry_at = None
                if not isinstance(error, EmailNotRenderable):
                    retry_at = next_attempt(message.attempts, now, self._settings)
                await self._outbox.mark_failed(
                    message.key, now=now, error=error.message, retry_at=retry_at
                )
                (parked if retry_at is None else retrying).append(message.key)
                await self._transaction.commit()
            else:
                # One statement committed on its own (on PostgreSQL no BEGIN/COMMIT).
                await self._outbox.mark_sent_committed(message.key, now=self._clock.now())
                sent.append(message.key)
        return OutboxBatchResult(tuple(sent), tuple(retrying), tuple(parked))

    def _render(self, message: OutboxMessage) -> EmailMessage:
        rendered = self._renderer.render(message.template, message.context)
        return EmailMessage(
            to=message.to,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            headers=(
                ("Message-ID", message_id(message.key, self._domain)),
                ("X-Billing-Portal-Key", message.key),
            ),
        )
