"""One operation's view of the state: the time it happens at, lookups, and event emission.

Operations (``customers.create`` ...) are plain functions of a :class:`Ledger`; the
:class:`~stripe_sandbox.store.SandboxStore` builds one per call, under its lock, and saves
the state afterwards. ``now`` is sandbox time (real time + the test-clock offset), or the
moment a clock-driven action was due.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import events
from .errors import ResourceMissing
from .objects import detached
from .state import State

_MISSING_NAMES = {
    "payment_method": "PaymentMethod",
    "billing_portal.configuration": "configuration",
    "billing_portal.session": "session",
    "webhook_endpoint": "webhook endpoint",
}


@dataclass(frozen=True)
class RequestInfo:
    """The API request behind an operation, recorded in its events' ``request`` field."""

    request_id: str | None = None
    idempotency_key: str | None = None


@dataclass
class Ledger:
    """The state plus the context of one operation."""

    state: State
    now: int
    base_url: str
    request: RequestInfo = field(default_factory=RequestInfo)
    emitted: list[str] = field(default_factory=list)
    error_after_commit: Exception | None = None
    """An error to report once the changes are saved (a failed charge Stripe records)."""

    def get(self, kind: str, object_id: Any, param: str = "id") -> dict[str, Any]:
        """The stored object (mutable), or Stripe's 404 ``resource_missing``."""
        found = self.state.table(kind).get(object_id) if isinstance(object_id, str) else None
        if found is None:
            raise ResourceMissing(_MISSING_NAMES.get(kind, kind), str(object_id), param)
        return found

    def put(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Store a new object under its ``object`` kind and id."""
        self.state.table(obj["object"])[obj["id"]] = obj
        return obj

    def render(self, obj: dict[str, Any]) -> dict[str, Any]:
        """A detached copy of ``obj`` as the API shows it now."""
        shown = detached(obj)
        if shown.get("object") == "subscription":
            prices = self.state.table("price")
            for item in shown["items"]["data"]:
                current = prices.get(item["price"]["id"])
                if current is not None:
                    item["price"] = detached(current)
        return shown

    def emit(
        self,
        event_type: str,
        obj: dict[str, Any],
        previous_attributes: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Record an event about ``obj`` and queue it for every subscribed endpoint."""
        event = events.build_event(
            self.state, event_type, self.render(obj), previous_attributes, self.now, self.request
        )
        self.emitted.append(event["id"])
        return event
