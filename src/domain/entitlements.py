"""Entitlements: which products a customer's subscriptions grant access to right now."""

from __future__ import annotations

from collections.abc import Iterable

from domain.subscription import Subscription, SubscriptionStatus

# Stripe's own advice: provision while a subscription is active or trialing. A past_due
# subscription keeps no entitlement here; a host app that grants a grace period reads
# ``status`` itself.
ENTITLING_STATUSES = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING})


def entitles(subscription: Subscription) -> bool:
    return subscription.status in ENTITLING_STATUSES


def active_products(subscriptions: Iterable[Subscription]) -> frozenset[str]:
    """The product ids of every item of every entitling subscription."""
    return frozenset(
        item.product_id
        for sub in subscriptions
        if entitles(sub)
        for item in sub.items
        if item.product_id
    )


def headline_subscription(subscriptions: Iterable[Subscription]) -> Subscription | None:
    """The subscription that answers "what plan is this user on": an entitling one first,
    then any live one, then the most recent; among equals the newest."""
    ranked = sorted(
        subscriptions,
        key=lambda s: (entitles(s), s.is_live, s.created, s.id),
        reverse=True,
    )
    return ranked[0] if ranked else None
