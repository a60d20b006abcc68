"""A subscription as the mirror holds it: the portal rules' snapshot plus what the page shows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from domain.billing.version import SourceVersion
from domain.subscription import Subscription

NO_NAMES: Mapping[str, str] = {}


@dataclass(frozen=True, slots=True)
class CancellationDetails:
    reason: str | None = None  # Stripe's: cancellation_requested, payment_failed, ...
    feedback: str | None = None  # the customer's choice: too_expensive, missing_features, ...
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class PriceNaming:
    """What the provider told about a price's name: its own nickname, its product's name
    (only when the product came expanded) and its lookup key. Any may be missing."""

    price_id: str
    nickname: str | None = None
    product_name: str | None = None
    lookup_key: str | None = None
    product_id: str = ""

    def name(self, product_names: Mapping[str, str] = NO_NAMES) -> str | None:
        """The nickname, else the product's name (``product_names`` maps product id to
        name, from the mirror), else the lookup key; None when nothing names the price."""
        return (
            self.nickname
            or self.product_name
            or product_names.get(self.product_id)
            or self.lookup_key
        )


@dataclass(frozen=True, slots=True)
class MirroredSubscription:
    """``subscription`` is what the portal policy reads; ``prices`` name its prices."""

    subscription: Subscription
    version: SourceVersion
    prices: tuple[PriceNaming, ...] = ()
    cancellation: CancellationDetails = CancellationDetails()
    default_payment_method_id: str | None = None

    @property
    def id(self) -> str:
        return self.subscription.id

    @property
    def customer_id(self) -> str:
        return self.subscription.customer_id

    def product_ids(self) -> frozenset[str]:
        return frozenset(i.product_id for i in self.subscription.items if i.product_id)

    def plan_name(self, price_id: str, product_names: Mapping[str, str] = NO_NAMES) -> str | None:
        """How a person names the plan of ``price_id``: the price's nickname, else its
        product's name (``product_names`` maps product id to name, from the mirror), else
        the price's lookup key. None when nothing names it."""
        product_id = next(
            (i.product_id for i in self.subscription.items if i.price_id == price_id), ""
        )
        naming = next(
            (p for p in self.prices if p.price_id == price_id),
            PriceNaming(price_id, product_id=product_id),
        )
        if not naming.product_id:
            naming = replace(naming, product_id=product_id)
        return naming.name(product_names)

    def plan_label(self, product_names: Mapping[str, str] = NO_NAMES) -> str:
        """The plan as a person reads it: names of its prices, or their ids."""
        items = self.subscription.items
        names = (self.plan_name(i.price_id, product_names) or i.price_id for i in items)
        return " + ".join(names) or "no plan"
