"""Regressions of the reshaped sync: plans named after products, tax ids mirrored, the
mirror trusted for a customer only once complete, the trial-ending email."""

from __future__ import annotations

from typing import Any

from tests.fakes import FakeBillingProvider

from adapters.stripe import objects
from application.billing_page.billing_summary import BillingSummary
from application.subscription_reader import SubscriptionReader
from domain.billing.product import MirroredProduct
from domain.billing.version import SourceVersion
from domain.portal_policy import PortalPolicy

from .builders import CUSTOMER, T0, customer, event, subscription
from .conftest import World


def unnamed(price: str = "price_1Nx9", product: str = "prod_pro", **changes: Any) -> dict[str, Any]:
    """What Stripe's webhooks carry: an unexpanded product and, usually, no nickname."""
    obj = subscription(price=price, **changes)
    obj["items"]["data"][0]["price"].update(nickname=None, lookup_key=None, product=product)
    return obj


async def summary(world: World) -> Any:
    return await BillingSummary(world.customers, world.mirror, world.clock, PortalPolicy()).execute(
        "user-1"
    )


async def test_plans_are_named_after_their_product_read_once_from_stripe(world: World) -> None:
    world.source.put(MirroredProduct("prod_pro", SourceVersion(world.clock.now()), "Pro"))
    await world.deliver(event("customer.subscription.created", unnamed(), event_id="e1"))
    await world.deliver(
        event(
            "customer.subscription.deleted",
            unnamed(status="canceled", ended_at=T0 + 5),
            event_id="e2",
            created=T0 + 5,
        )
    )
    await world.drain()

    assert world.mirror.products["prod_pro"].name == "Pro"
    [line] = (await summary(world)).subscriptions
    assert line.plans[0].plan_name == "Pro"
    [ended] = [m for m in world.outbox.messages.values() if m.template == "subscription_ended"]
    assert ended.context["plan"] == "Pro"  # not "price_1Nx9"
    assert world.source.reads == 1  # the product, once; then the mirror names it


async def test_a_renamed_product_renames_the_plan(world: World) -> None:
    await world.deliver(
        event(
            "product.created", {"id": "prod_pro", "object": "product", "name": "Pro"}, event_id="p1"
        )
    )
    await world.drain()  # the product is known before its first subscription
    await world.deliver(event("customer.subscription.created", unnamed(), event_id="e1"))
    await world.deliver(
        event(
            "product.updated",
            {"id": "prod_pro", "object": "product", "name": "Pro (2026)"},
            event_id="p2",
            created=T0 + 60,
            previous={"name": "Pro"},
        )
    )
    await world.drain()

    [line] = (await summary(world)).subscriptions
    assert line.plans[0].plan_name == "Pro (2026)"
    assert world.source.reads == 0


async def test_tax_id_events_put_the_customers_tax_ids_in_the_mirror(world: World) -> None:
    await world.deliver(event("customer.created", customer(), event_id="c1"))
    await world.drain()
    with_tax_id = customer(
        tax_ids={
            "object": "list",
            "data": [{"id": "txi_1", "type": "eu_vat", "value": "DE123456789"}],
        }
    )
    world.source.put(objects.customer(with_tax_id, SourceVersion(world.clock.now())))
    tax_id = {
        "id": "txi_1",
        "object": "tax_id",
        "customer": CUSTOMER,
        "type": "eu_vat",
        "value": "DE123456789",
    }
    await world.deliver(event("customer.tax_id.created", tax_id, event_id="t1", created=T0 + 1))
    # A later customer.updated never carries tax ids: the mirrored ones stay.
    await world.deliver(
        event("customer.updated", customer(name="Ada L."), event_id="c2", created=T0 + 120)
    )
    await world.drain()

    assert [(t.type, t.value) for t in (await summary(world)).tax_ids] == [
        ("eu_vat", "DE123456789")
    ]
    assert world.mirror.customers[CUSTOMER].name == "Ada L."


async def test_a_customer_created_event_makes_the_mirror_complete_for_them(world: World) -> None:
    assert not await world.mirror.subscriptions_complete(CUSTOMER)
    await world.deliver(event("customer.created", customer(), event_id="c1"))
    await world.drain()
    assert await world.mirror.subscriptions_complete(CUSTOMER)


async def test_the_portal_asks_stripe_while_the_mirror_holds_only_part_of_a_customer(
    world: World,
) -> None:
    # An event put one (canceled) subscription in the mirror; sync has not run yet.
    await world.deliver(
        event(
            "customer.subscription.deleted",
            subscription("sub_old", status="canceled"),
            event_id="e1",
        )
    )
    await world.drain()
    live = objects.subscription(subscription("sub_live"), SourceVersion(world.clock.now()))
    provider = FakeBillingProvider({CUSTOMER: [live.subscription]})
    reader = SubscriptionReader(world.mirror, provider)

    partial = await reader.list_subscriptions(CUSTOMER)
    assert [s.id for s in partial] == ["sub_live"]  # Stripe's whole picture, not the mirror's

    await world.mirror.mark_subscriptions_complete([CUSTOMER], at=world.clock.now())
    complete = await reader.list_subscriptions(CUSTOMER)
    assert [s.id for s in complete] == ["sub_old"]  # now the mirror answers


async def test_trial_will_end_sends_the_trial_ending_email(world: World) -> None:
    trialing = subscription(status="trialing", trial_end=T0 + 3 * 86400)
    await world.deliver(event("customer.subscription.trial_will_end", trialing, event_id="t1"))
    await world.drain()

    [message] = world.outbox.messages.values()
    assert message.template == "trial_ending"
    assert message.context["plan"] == "Basic"
