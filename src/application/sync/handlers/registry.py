"""Which handler acts on which typed event."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, TypeVar

from domain.billing.events import BillingEvent

E = TypeVar("E", contravariant=True)


class EventHandler(Protocol[E]):
    """Applies one typed event inside the caller's unit of work (never commits)."""

    async def handle(self, event: E) -> None: ...


class EventHandlers:
    """The handlers by the event type they handle; an event of no registered type has no
    handler (the inbox marks it ignored)."""

    def __init__(self, handlers: Mapping[type[Any], EventHandler[Any]]) -> None:
        self._handlers = dict(handlers)

    def handler_for(self, event: BillingEvent) -> EventHandler[Any] | None:
        return self._handlers.get(type(event))

    def handled_types(self) -> frozenset[type[Any]]:
        return frozenset(self._handlers)
