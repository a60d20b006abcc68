from __future__ import annotations

from typing import Protocol

from application.ports.event_inbox import InboxEvent


class EventIntake(Protocol):
    """Where verified webhook events enter the inbox: durably, once by their id."""

    async def admit(self, event: InboxEvent) -> bool:
        """Store ``event`` unless its id is already stored, and return only once that is
        committed: ``True`` for a new event, ``False`` for a duplicate. Raises
        ``PersistenceUnavailable`` when the database fails (then nothing was stored)."""
        ...
