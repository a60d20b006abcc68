"""One handler per family of event types; each updates the mirror and queues emails."""

from __future__ import annotations

from typing import Protocol

from application.sync.events import ProviderEvent


class EventHandler(Protocol):
    async def handle(self, event: ProviderEvent) -> None: ...
