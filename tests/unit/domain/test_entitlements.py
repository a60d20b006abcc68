"""Entitlements: active and trialing subscriptions grant their products; nothing else does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.unit.builders import NOW, a_subscription, an_item

from domain.entitlements import active_products, headline_subscription
from domain.subscription import SubscriptionStatus


@pytest.mark.parametrize(
    ("status", "entitled"),
    [
        (SubscriptionStatus.ACTIVE, True),
        (SubscriptionStatus.TRIALING, True),
        (SubscriptionStatus.PAST_DUE, False),
        (SubscriptionStatus.UNPAID, False),
        (SubscriptionStatus.INCOMPLETE, False),
        (SubscriptionStatus.INCOMPLETE_EXPIRED, False),
        (SubscriptionStatus.CANCELED, False),
        (SubscriptionStatus.PAUSED, False),
        (SubscriptionStatus.UNKNOWN, False),
    ],
)
def test_only_active_and_trialing_subscriptions_grant_their_products(
    status: SubscriptionStatus, entitled: bool
) -> None:
    sub = a_subscription(status=status, items=(an_item(product_id="prod_pro"),))

    assert active_products([sub]) == ({"prod_pro"} if entitled else set())


def test_every_item_of_every_entitling_subscription_counts() -> None:
    subs = [
        a_subscription(id="sub_a", items=(an_item(id="si_1", product_id="prod_app"),
                                          an_item(id="si_2", product_id="prod_seats"))),
        a_subscription(id="sub_b", status="trialing", items=(an_item(product_id="prod_ai"),)),
        a_subscription(id="sub_c", status="canceled", items=(an_item(product_id="prod_old"),)),
    ]  # fmt: skip

    assert active_products(subs) == {"prod_app", "prod_seats", "prod_ai"}


def test_the_headline_is_entitling_first_then_live_then_newest() -> None:
    old_active = a_subscription(id="sub_active", created=NOW - timedelta(days=300))
    new_past_due = a_subscription(id="sub_due", status="past_due", created=NOW)
    newest_canceled = a_subscription(id="sub_gone", status="canceled", created=NOW)
    older_canceled = a_subscription(
        id="sub_gone_old", status="canceled", created=NOW - timedelta(days=9)
    )

    assert headline_subscription([new_past_due, old_active, newest_canceled]) == old_active
    assert headline_subscription([newest_canceled, new_past_due]) == new_past_due
    assert headline_subscription([older_canceled, newest_canceled]) == newest_canceled
    assert headline_subscription([]) is None
