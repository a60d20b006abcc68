"""Everything the sandbox knows, as plain JSON-able data.

``objects[kind][id]`` holds the Stripe objects themselves (insertion-ordered, so lists can
show newest first); the other fields hold what Stripe keeps but never shows (card outcomes,
webhook secrets, session secrets, delivery attempts, pending prorations, idempotency
records, the test-clock offset, the demo records, the trials already warned of their end,
the hosted pages' form key).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import msgspec

KINDS = (
    "customer",
    "product",
    "price",
    "payment_method",
    "subscription",
    "subscription_schedule",
    "invoice",
    "billing_portal.configuration",
    "billing_portal.session",
    "event",
    "webhook_endpoint",
    "tax_id",
)

PREFIXES = {
    "cus": "customer",
    "prod": "product",
    "price": "price",
    "pm": "payment_method",
    "sub": "subscription",
    "sub_sched": "subscription_schedule",
    "in": "invoice",
    "bpc": "billing_portal.configuration",
    "bps": "billing_portal.session",
    "evt": "event",
    "we": "webhook_endpoint",
    "txi": "tax_id",
}


def kind_of(object_id: str) -> str | None:
    """The object kind an id belongs to, from its prefix (``sub_sched_`` before ``sub_``)."""
    if object_id.startswith("sub_sched_"):
        return "subscription_schedule"
    return PREFIXES.get(object_id.split("_", 1)[0])


@dataclass
class State:
    """The sandbox's whole state; :meth:`to_json`/:meth:`from_json` round-trip it."""

    objects: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {kind: {} for kind in KINDS}
    )
    clock_offset: int = 0
    card_outcomes: dict[str, str] = field(default_factory=dict)
    webhook_secrets: dict[str, str] = field(default_factory=dict)
    portal_products: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    deliveries: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    pending_prorations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    idempotency: dict[str, dict[str, Any]] = field(default_factory=dict)
    demo_records: list[dict[str, Any]] = field(default_factory=list)
    trial_warnings: dict[str, int] = field(default_factory=dict)
    """``subscription id -> trial_end`` for which ``trial_will_end`` was sent."""
    page_secret: str = ""
    """The key of the hosted invoice page's form tokens (made on first use)."""

    def table(self, kind: str) -> dict[str, dict[str, Any]]:
        """The objects of one kind, by id."""
        return self.objects.setdefault(kind, {})

    def is_empty(self) -> bool:
        """True when no object of any kind exists."""
        return not any(self.objects.values())

    def to_json(self) -> dict[str, Any]:
        """The fields as a dict (shared, not copied: encode it, don't keep it)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def copy(self) -> State:
        """A deep copy (via msgspec's JSON codec, much faster than ``copy.deepcopy``)."""
        return State.from_json(msgspec.json.decode(msgspec.json.encode(self.to_json())))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        known = {f.name for f in dataclasses.fields(cls)}
        state = cls(**{k: v for k, v in data.items() if k in known})
        for kind in KINDS:
            state.objects.setdefault(kind, {})
        return state
