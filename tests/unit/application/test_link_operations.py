"""Link, relink, unlink, change segment, list: each change audited with who asked."""

from __future__ import annotations

import pytest
from tests.fakes import (
    FakeClock,
    FakeCustomerDirectory,
    FakeCustomerLinkAudit,
    FakeTransactionManager,
)
from tests.unit.builders import NOW, a_customer

from application.customers.change_segment import ChangeSegment, ChangeSegmentRequest
from application.customers.link_customer import LinkCustomer, LinkCustomerRequest
from application.customers.list_customers import ListCustomers
from application.customers.relink_customer import RelinkCustomer, RelinkCustomerRequest
from application.customers.unlink_customer import UnlinkCustomer, UnlinkCustomerRequest
from application.errors import InvalidRequest, LinkConflict, UserNotFound
from application.ports.customer_link_audit import CustomerLinkChange
from domain.customer import Customer

SEGMENTS = frozenset({"b2b", "b2c"})
KEY = "api_key:key_1"


class World:
    def __init__(self, *customers: Customer) -> None:
        self.customers = FakeCustomerDirectory(*customers)
        self.audit = FakeCustomerLinkAudit()
        self.transaction = FakeTransactionManager(self.customers, self.audit)
        clock = FakeClock(NOW)
        self.link_uc = LinkCustomer(self.customers, self.transaction, SEGMENTS, self.audit, clock)
        self.relink_uc = RelinkCustomer(self.customers, self.link_uc)
        self.unlink_uc = UnlinkCustomer(self.customers, self.audit, self.transaction, clock)
        self.segment_uc = ChangeSegment(
            self.customers, self.audit, self.transaction, clock, SEGMENTS
        )

    async def link(self, user: str, customer: str, segment: str = "b2c", **kw: object) -> Customer:
        request = LinkCustomerRequest(user, customer, segment, actor=KEY, **kw)  # type: ignore[arg-type]
        return await self.link_uc.execute(request)

    def actions(self) -> list[tuple[str, str, str | None, str | None]]:
        return [
            (c.action, c.actor, c.previous_customer_id, c.customer_id) for c in self.audit.committed
        ]


async def test_a_first_link_is_audited_with_the_caller_and_the_time() -> None:
    world = World()

    await world.link("user_1", "cus_A")

    assert world.audit.committed == [
        CustomerLinkChange("link", "user_1", KEY, NOW, customer_id="cus_A", segment="b2c")
    ]


async def test_linking_again_the_same_way_changes_and_audits_nothing() -> None:
    world = World(a_customer(user_id="user_1", stripe_customer_id="cus_A"))

    await world.link("user_1", "cus_A", replace_existing=False)

    assert world.audit.committed == []
    assert world.customers.committed["user_1"].stripe_customer_id == "cus_A"


async def test_linking_with_another_segment_is_audited_as_a_segment_change() -> None:
    world = World(a_customer(user_id="user_1", stripe_customer_id="cus_A", segment="b2c"))

    await world.link("user_1", "cus_A", segment="b2b", replace_existing=False)

    assert [(c.action, c.previous_segment, c.segment) for c in world.audit.committed] == [
        ("segment", "b2c", "b2b")
    ]


async def test_link_without_replace_refuses_a_user_linked_elsewhere_and_keeps_the_link() -> None:
    world = World(a_customer(user_id="user_1", stripe_customer_id="cus_OLD"))

    with pytest.raises(LinkConflict) as refused:
        await world.link("user_1", "cus_NEW", replace_existing=False)

    assert refused.value.field == "user_id"
    assert "already linked to cus_OLD; relink" in refused.value.message
    assert world.customers.committed["user_1"].stripe_customer_id == "cus_OLD"
    assert world.audit.committed == []
    assert world.transaction.commits == 0


async def test_relink_moves_the_user_keeps_the_segment_and_audits_old_and_new() -> None:
    world = World(a_customer(user_id="user_1", stripe_customer_id="cus_OLD", segment="b2b"))

    moved = await world.relink_uc.execute(RelinkCustomerRequest("user_1", "cus_NEW", KEY))

    assert (moved.stripe_customer_id, moved.segment) == ("cus_NEW", "b2b")
    assert world.actions() == [("relink", KEY, "cus_OLD", "cus_NEW")]


async def test_relink_of_an_unlinked_user_is_not_found() -> None:
    with pytest.raises(UserNotFound, match="no customer link for user 'ghost'; link it first"):
        await World().relink_uc.execute(RelinkCustomerRequest("ghost", "cus_NEW", KEY))


async def test_relink_to_a_customer_another_user_holds_is_a_conflict() -> None:
    world = World(
        a_customer(user_id="user_1", stripe_customer_id="cus_A"),
        a_customer(user_id="user_2", stripe_customer_id="cus_B"),
    )

    with pytest.raises(LinkConflict, match="cus_B is already linked to user 'user_2'"):
        await world.relink_uc.execute(RelinkCustomerRequest("user_1", "cus_B", KEY))
    assert world.customers.committed["user_1"].stripe_customer_id == "cus_A"


async def test_unlink_removes_the_link_and_audits_what_it_was() -> None:
    world = World(a_customer(user_id="user_1", stripe_customer_id="cus_A", segment="b2b"))

    was = await world.unlink_uc.execute(UnlinkCustomerRequest("user_1", "cli"))

    assert was.stripe_customer_id == "cus_A"
    assert world.customers.committed == {}
    assert [(c.action, c.actor, c.previous_customer_id, c.previous_segment, c.customer_id)
            for c in world.audit.committed] == [("unlink", "cli", "cus_A", "b2b", None)]  # fmt: skip


async def test_unlink_of_an_unlinked_user_is_not_found_and_audits_nothing() -> None:
    world = World()

    with pytest.raises(UserNotFound, match="no customer link for user 'ghost'"):
        await world.unlink_uc.execute(UnlinkCustomerRequest("ghost", "cli"))
    assert world.audit.committed == []


async def test_a_customer_freed_by_unlink_can_be_linked_to_another_user() -> None:
    world = World(a_customer(user_id="user_1", stripe_customer_id="cus_A"))

    await world.unlink_uc.execute(UnlinkCustomerRequest("user_1", KEY))
    await world.link("user_2", "cus_A", replace_existing=False)

    assert list(world.customers.committed) == ["user_2"]


async def test_change_segment_is_saved_and_audited() -> None:
    world = World(a_customer(user_id="user_1", stripe_customer_id="cus_A", segment="b2c"))

    changed = await world.segment_uc.execute(ChangeSegmentRequest("user_1", "b2b", KEY))

    assert changed.segment == world.customers.committed["user_1"].segment == "b2b"
    assert [(c.action, c.previous_segment, c.segment) for c in world.audit.committed] == [
        ("segment", "b2c", "b2b")
    ]


@pytest.mark.parametrize(
    ("user", "segment", "error", "words"),
    [
        ("user_1", "gold", InvalidRequest, "unknown segment 'gold'; use one of: b2b, b2c"),
        ("ghost", "b2b", UserNotFound, "no customer link for user 'ghost'"),
    ],
)
async def test_change_segment_refusals(
    user: str, segment: str, error: type[Exception], words: str
) -> None:
    world = World(a_customer(user_id="user_1", stripe_customer_id="cus_A"))

    with pytest.raises(error, match=words):
        await world.segment_uc.execute(ChangeSegmentRequest(user, segment, KEY))
    assert world.audit.committed == []


async def test_list_pages_by_user_id_and_filters_by_segment() -> None:
    links = [a_customer(user_id=f"user_{n}", stripe_customer_id=f"cus_{n}",
                        segment="b2b" if n % 2 else "b2c") for n in range(1, 6)]  # fmt: skip
    list_uc = ListCustomers(FakeCustomerDirectory(*links))

    first = await list_uc.execute(limit=2)
    second = await list_uc.execute(limit=2, after=first.next_after)
    last = await list_uc.execute(limit=2, after=second.next_after)
    b2b = await list_uc.execute(segment="b2b", limit=10)

    assert [c.user_id for c in first.customers] == ["user_1", "user_2"]
    assert [c.user_id for c in second.customers] == ["user_3", "user_4"]
    assert ([c.user_id for c in last.customers], last.next_after) == (["user_5"], None)
    assert [c.user_id for c in b2b.customers] == ["user_1", "user_3", "user_5"]


async def test_list_refuses_a_limit_out_of_range() -> None:
    with pytest.raises(InvalidRequest, match="limit must be 1 to 500, not 0"):
        await ListCustomers(FakeCustomerDirectory()).execute(limit=0)
