"""Bodies of the server-to-server API (``/api/server``)."""

from __future__ import annotations

from datetime import datetime

import msgspec


class LinkBody(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Link ``user_id`` (the host app's id) to a Stripe customer, in a segment."""

    user_id: str
    customer_id: str
    segment: str
    email: str | None = None


class RelinkBody(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Move a linked user to another Stripe customer; segment and email kept when omitted."""

    customer_id: str
    segment: str | None = None
    email: str | None = None


class SegmentBody(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    segment: str


class LinkView(msgspec.Struct, frozen=True):
    """A user's link as stored now."""

    user_id: str
    customer_id: str | None
    segment: str
    email: str | None


class ServerSubscription(msgspec.Struct, frozen=True):
    """A subscription from the mirror; ``status`` is Stripe's own string. ``entitles``:
    whether it grants its products now (status active or trialing)."""

    id: str
    status: str
    plan: str
    product_ids: list[str]
    price_ids: list[str]
    entitles: bool
    current_period_end: datetime | None
    cancel_at_period_end: bool
    cancel_at: datetime | None
    ended_at: datetime | None


class BillingStatusBody(msgspec.Struct, frozen=True):
    """A user's billing status from the mirror.

    ``linked`` is false for a user with no Stripe customer (then no subscriptions and not
    entitled). ``status`` and ``plan`` describe the headline subscription (an entitling one
    first, then a live one, then the newest). ``active_products``: the products of every
    active or trialing subscription. ``entitled`` answers ``?product=`` (null without it).
    """

    user_id: str
    linked: bool
    customer_id: str | None
    segment: str | None
    status: str | None
    plan: str | None
    subscriptions: list[ServerSubscription]
    active_products: list[str]
    product: str | None
    entitled: bool | None
    mirror_updated_at: datetime | None
