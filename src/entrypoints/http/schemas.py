"""The portal-session API's request and response bodies (unknown fields are refused)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from domain.portal_flow import MAX_FLOW_QUANTITY, FlowType

Quantity = Annotated[
    int,
    msgspec.Meta(
        ge=1,
        le=MAX_FLOW_QUANTITY,
        description=f"New quantity (1..{MAX_FLOW_QUANTITY}), where the configuration allows it",
    ),
]


class FlowBody(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A deep link: which flow, for which subscription; ``price_id`` for update_confirm."""

    type: FlowType
    subscription_id: str | None = None
    price_id: str | None = None
    quantity: Quantity | None = None


class PortalSessionBody(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Everything is optional; the server picks the configuration and builds the return URL."""

    return_path: str | None = None
    flow: FlowBody | None = None
    locale: str | None = None


class PortalSessionOpened(msgspec.Struct, frozen=True):
    """201: send the user's browser to ``url`` (a Stripe-hosted portal session)."""

    url: str
    configuration: str
    reason: str


class PortalRedirect(msgspec.Struct, frozen=True):
    """200: no portal for this user now; send them to ``redirect_to`` instead."""

    reason: str
    redirect_to: str
    action: Literal["redirect"] = "redirect"


class Health(msgspec.Struct, frozen=True):
    status: str


class SchemaReport(msgspec.Struct, frozen=True):
    current: str | None
    expected: str
    state: str  # current, ahead (a newer release migrated it)


class QueueReport(msgspec.Struct, frozen=True):
    pending: int
    oldest_pending_age_seconds: float | None
    parked: int


class ReadinessReport(msgspec.Struct, frozen=True):
    """``/readyz`` when ready: what was checked, and the backlogs (informational)."""

    status: str
    database: str
    schema: SchemaReport
    inbox: QueueReport
    outbox: QueueReport
    last_webhook_age_seconds: float | None
