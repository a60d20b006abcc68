"""Port: the provider's event JSON as typed events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from domain.billing.events import BillingEvent, EventEnvelope


class BillingEventTranslator(Protocol):
    """Reads the provider's event JSON (as the webhook carried it and the inbox stores it)
    into the application's typed events. Both raise ``InvalidEvent`` for JSON that is not
    an event (no id, type or creation time) or an event of a handled type whose object is
    unusable (no id); a type this service does not handle becomes ``UnhandledEvent``."""

    def envelope(self, payload: Mapping[str, object]) -> EventEnvelope:
        """Just the identity: id, type, creation time, live or test mode."""
        ...

    def translate(self, payload: Mapping[str, object]) -> BillingEvent: ...
