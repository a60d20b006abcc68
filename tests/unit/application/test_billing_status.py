"""ReadBillingStatus: the host app's question "what is this user on, may they use X"."""

from __future__ import annotations

import pytest
from tests.fakes import FakeBillingMirror, FakeClock, FakeCustomerDirectory
from tests.unit.builders import NOW, a_customer, a_subscription, an_item

from application.customers.read_billing_status import ReadBillingStatus
from application.errors import InvalidRequest
from domain.billing.subscription import MirroredSubscription, PriceNaming
from domain.billing.version import SourceVersion


async def world(*subs: MirroredSubscription) -> ReadBillingStatus:
    mirror = FakeBillingMirror(FakeClock(NOW))
    for sub in subs:
        await mirror.save_subscription(sub)
    customers = FakeCustomerDirectory(a_customer(user_id="user_1", stripe_customer_id="cus_1"))
    return ReadBillingStatus(customers, mirror)


def mirrored(sub_id: str, status: str, product: str, name: str) -> MirroredSubscription:
    sub = a_subscription(id=sub_id, status=status, customer_id="cus_1",
                         items=(an_item(price_id=f"price_{product}", product_id=product),))  # fmt: skip
    version = SourceVersion(at=sub.created, event_id=None)
    return MirroredSubscription(sub, version, prices=(PriceNaming(f"price_{product}", name),))


async def test_status_plan_and_products_come_from_the_mirror() -> None:
    read = await world(
        mirrored("sub_pro", "active", "prod_pro", "Pro"),
        mirrored("sub_old", "canceled", "prod_basic", "Basic"),
    )

    status = await read.execute("user_1", product="prod_pro")

    assert (status.linked, status.customer_id, status.segment) == (True, "cus_1", "b2c")
    assert (status.status, status.plan) == ("active", "Pro")
    assert status.active_products == {"prod_pro"}
    assert (status.product, status.entitled) == ("prod_pro", True)
    assert [s.id for s in status.subscriptions] == ["sub_pro", "sub_old"]
    assert status.mirror_updated_at is not None


async def test_a_canceled_product_is_not_entitled() -> None:
    read = await world(mirrored("sub_old", "canceled", "prod_basic", "Basic"))

    status = await read.execute("user_1", product="prod_basic")

    assert (status.status, status.entitled, status.active_products) == ("canceled", False, set())


async def test_an_unlinked_user_is_answered_not_entitled() -> None:
    status = await (await world()).execute("stranger", product="prod_pro")

    assert (status.linked, status.customer_id, status.status, status.entitled) == (
        False, None, None, False,
    )  # fmt: skip
    assert status.subscriptions == ()


async def test_without_a_product_entitled_is_not_answered() -> None:
    status = await (await world(mirrored("s", "active", "prod_pro", "Pro"))).execute("user_1")
    assert status.entitled is None


@pytest.mark.parametrize("product", ["", "prod_a b", "prod_\n", "p" * 256])
async def test_a_product_must_be_a_stripe_product_id(product: str) -> None:
    with pytest.raises(InvalidRequest, match="is not a Stripe product id") as refused:
        await (await world()).execute("user_1", product=product)
    assert refused.value.field == "product"
