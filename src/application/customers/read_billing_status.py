"""Use case: a user's billing status from the mirror, for the host app's servers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from application.errors import InvalidRequest
from application.ports.billing_mirror import BillingMirror
from application.ports.customer_directory import CustomerDirectory
from domain.billing.subscription import MirroredSubscription
from domain.entitlements import active_products, entitles, headline_subscription

# Stripe generates prod_... ids, but a product created with its own id keeps that id, so any
# printable id without spaces is accepted.
_PRODUCT_ID = re.compile(r"[\x21-\x7e]{1,255}")


@dataclass(frozen=True, slots=True)
class SubscriptionStatusLine:
    id: str
    status: str  # Stripe's own string, even one this service does not know
    plan: str
    product_ids: tuple[str, ...]
    price_ids: tuple[str, ...]
    entitles: bool  # active or trialing: it grants its products now
    current_period_end: datetime | None
    cancel_at_period_end: bool
    cancel_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True, slots=True)
class BillingStatus:
    user_id: str
    linked: bool
    customer_id: str | None
    segment: str | None
    # The headline subscription (entitling first, then live, then newest): None without any.
    status: str | None
    plan: str | None
    subscriptions: tuple[SubscriptionStatusLine, ...]
    active_products: frozenset[str]
    # Only when a product was asked about: whether an active/trialing subscription has it.
    product: str | None = None
    entitled: bool | None = None
    mirror_updated_at: datetime | None = None


class ReadBillingStatus:
    """Read-only, from the mirror (never calls the billing provider).

    A user without a link is answered, not refused: ``linked`` false, no subscriptions, not
    entitled. ``product`` must be a product id: printable, no spaces (``InvalidRequest``
    otherwise). Plans are named as the billing page names them (price nickname, else the
    product's name, else the lookup key, else the price id).
    """

    def __init__(self, customers: CustomerDirectory, mirror: BillingMirror) -> None:
        self._customers = customers
        self._mirror = mirror

    async def execute(self, user_id: str, product: str | None = None) -> BillingStatus:
        if product is not None and not _PRODUCT_ID.fullmatch(product):
            raise InvalidRequest(
                f"{product!r} is not a Stripe product id (prod_..., no spaces)", field="product"
            )
        link = await self._customers.get(user_id)
        customer_id = link.stripe_customer_id if link else None
        mirrored: list[MirroredSubscription] = []
        updated_at = None
        if customer_id:
            mirrored = await self._mirror.list_subscriptions(customer_id)
            updated_at = await self._mirror.last_written_at(customer_id)
        names = await self._mirror.product_names({p for m in mirrored for p in m.product_ids()})
        lines = tuple(_line(m, m.plan_label(names)) for m in mirrored)
        products = active_products(m.subscription for m in mirrored)
        headline = headline_subscription(m.subscription for m in mirrored)
        top = next((line for line in lines if headline and line.id == headline.id), None)
        return BillingStatus(
            user_id=user_id,
            linked=customer_id is not None,
            customer_id=customer_id,
            segment=link.segment if link else None,
            status=top.status if top else None,
            plan=top.plan if top else None,
            subscriptions=lines,
            active_products=products,
            product=product,
            entitled=(product in products) if product is not None else None,
            mirror_updated_at=updated_at,
        )


def _line(mirrored: MirroredSubscription, plan: str) -> SubscriptionStatusLine:
    sub = mirrored.subscription
    return SubscriptionStatusLine(
        id=sub.id,
        status=sub.raw_status or sub.status.value,
        plan=plan,
        product_ids=tuple(sorted(mirrored.product_ids())),
        price_ids=tuple(sorted(sub.price_ids())),
        entitles=entitles(sub),
        current_period_end=sub.period_end,
        cancel_at_period_end=sub.cancel_at_period_end,
        cancel_at=sub.cancel_at,
        ended_at=sub.ended_at,
    )
