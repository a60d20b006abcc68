"""The one translation of Stripe objects: edge payloads read the same way everywhere."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.stripe import objects
from application.errors import InvalidEvent
from domain.billing.version import SourceVersion
from domain.subscription import SubscriptionStatus

T0 = 1_772_366_400  # 2026-03-01 12:00:00 UTC
AT = datetime.fromtimestamp(T0, UTC)
READ = SourceVersion(at=AT, event_id=None)


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def price(price_id: str = "price_pro", **changes: Any) -> dict[str, Any]:
    return {
        "id": price_id,
        "object": "price",
        "product": "prod_pro",
        "nickname": None,
        "lookup_key": None,
        "recurring": {"interval": "month", "interval_count": 1, "usage_type": "licensed"},
        **changes,
    }


def item(**changes: Any) -> dict[str, Any]:
    return {
        "id": "si_1",
        "object": "subscription_item",
        "price": price(),
        "quantity": 2,
        "current_period_start": T0,
        "current_period_end": T0 + 30 * 86400,
        **changes,
    }


def subscription(**changes: Any) -> dict[str, Any]:
    return {
        "id": "sub_1",
        "object": "subscription",
        "customer": "cus_1",
        "status": "active",
        "created": T0 - 86400,
        "start_date": T0 - 86400,
        "items": {"object": "list", "data": [item()], "has_more": False},
        "cancel_at_period_end": False,
        "cancel_at": None,
        "canceled_at": None,
        "ended_at": None,
        "latest_invoice": "in_1",
        **changes,
    }


def test_a_subscription_without_created_takes_the_version_time() -> None:
    data = subscription()
    del data["created"], data["start_date"]
    sub = objects.subscription(data, READ).subscription
    assert sub.created == AT
    assert sub.start_date == AT


def test_item_periods_win_over_the_subscriptions_own() -> None:
    data = subscription(current_period_start=T0 - 5, current_period_end=T0 + 5)
    sub = objects.subscription(data, READ).subscription
    assert sub.period_start == AT
    assert sub.period_end == _at(T0 + 30 * 86400)


def test_items_without_periods_take_the_subscriptions_periods() -> None:
    bare = item()
    del bare["current_period_start"], bare["current_period_end"]
    data = subscription(
        items={"object": "list", "data": [bare]},
        current_period_start=T0,
        current_period_end=T0 + 7 * 86400,
    )
    sub = objects.subscription(data, READ).subscription
    assert (sub.period_start, sub.period_end) == (AT, _at(T0 + 7 * 86400))


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("active", SubscriptionStatus.ACTIVE),
        ("past_due", SubscriptionStatus.PAST_DUE),
        ("some_new_status", SubscriptionStatus.UNKNOWN),
        (None, SubscriptionStatus.UNKNOWN),
    ],
)
def test_status_unknown_ones_keep_their_raw_string(
    status: str | None, expected: SubscriptionStatus
) -> None:
    sub = objects.subscription(subscription(status=status), READ).subscription
    assert sub.status is expected
    assert sub.raw_status == (status or "")


def test_expanded_and_unexpanded_references_read_alike() -> None:
    expanded = subscription(
        customer={"id": "cus_1", "object": "customer"},
        latest_invoice={"id": "in_1", "hosted_invoice_url": "https://pay.example/in_1"},
        items={
            "data": [
                item(price=price(product={"id": "prod_pro", "name": "Pro", "object": "product"}))
            ]
        },
    )
    plain = objects.subscription(subscription(), READ)
    rich = objects.subscription(expanded, READ)
    assert rich.customer_id == plain.customer_id == "cus_1"
    assert rich.subscription.items[0].product_id == plain.subscription.items[0].product_id
    assert rich.subscription.latest_invoice_url == "https://pay.example/in_1"
    assert plain.subscription.latest_invoice_url is None
    assert rich.plan_name("price_pro") == "Pro"  # from the expanded product
    assert plain.plan_name("price_pro") is None  # nothing names it: no nickname, no product


def test_plan_names_come_from_mirrored_products_when_the_price_has_no_nickname() -> None:
    sub = objects.subscription(subscription(), READ)
    assert sub.plan_label() == "price_pro"
    assert sub.plan_label({"prod_pro": "Pro"}) == "Pro"
    nicknamed = objects.subscription(
        subscription(items={"data": [item(price=price(nickname="Pro monthly"))]}), READ
    )
    assert nicknamed.plan_label({"prod_pro": "Pro"}) == "Pro monthly"
    keyed = objects.subscription(
        subscription(items={"data": [item(price=price(lookup_key="pro_monthly"))]}), READ
    )
    assert keyed.plan_label() == "pro_monthly"
    assert keyed.plan_label({"prod_pro": "Pro"}) == "Pro"


def test_a_customer_without_tax_ids_says_it_does_not_know_them() -> None:
    unexpanded = objects.customer({"id": "cus_1", "object": "customer"}, READ)
    assert unexpanded.tax_ids is None
    expanded = objects.customer(
        {
            "id": "cus_1",
            "tax_ids": {
                "object": "list",
                "data": [{"id": "txi_1", "type": "eu_vat", "value": "DE123456789"}],
            },
        },
        READ,
    )
    assert [(t.id, t.type, t.value) for t in expanded.tax_ids or ()] == [
        ("txi_1", "eu_vat", "DE123456789")
    ]


def test_a_deleted_customer_is_marked_deleted() -> None:
    gone = objects.customer({"id": "cus_1", "object": "customer", "deleted": True}, READ)
    assert gone.deleted
    assert gone.email is None


def test_a_default_payment_method_is_read_expanded_or_not() -> None:
    for value in ("pm_1", {"id": "pm_1", "object": "payment_method"}):
        found = objects.customer(
            {"id": "cus_1", "invoice_settings": {"default_payment_method": value}}, READ
        )
        assert found.default_payment_method_id == "pm_1"


def test_objects_without_an_id_are_refused() -> None:
    with pytest.raises(InvalidEvent, match="subscription object has no id"):
        objects.subscription({"object": "subscription"}, READ)


def test_a_payment_method_without_a_customer_is_detached() -> None:
    card = {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}
    method = objects.payment_method({"id": "pm_1", "type": "card", "card": card}, READ)
    assert method.detached
    assert method.label == "Visa ending in 4242"
