"""Use case: the email outbox for operators (``emails list``)."""

from __future__ import annotations

from application.ports.outbox import Outbox, OutboxMessage, OutboxStatus


class ListEmails:
    """Newest first, optionally only one status; a message being sent shows as pending."""

    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    async def execute(
        self, *, status: OutboxStatus | None = None, limit: int = 50
    ) -> list[OutboxMessage]:
        return await self._outbox.list_messages(status=status, limit=limit)
