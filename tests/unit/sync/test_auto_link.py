"""Automatic linking from Stripe's events, through the handlers the composition root
registers: who gets linked, how the segment follows the metadata, and what is refused."""

from __future__ import annotations

from typing import Any

from application.ports.event_inbox import EventStatus
from application.sync.settings import AutoLinkSettings
from domain.customer import Customer

from .builders import CUSTOMER, T0, event, stripe_object
from .conftest import World, make_world

NEW_CUSTOMER = "cus_NewFromStripe1"
BOTH = AutoLinkSettings(from_checkout=True, from_metadata=True)


def new_customer(event_type: str, event_id: str, created: int = T0, **metadata: str) -> Any:
    obj = stripe_object("customer", id=NEW_CUSTOMER, email="grace@example.com", metadata=metadata)
    return event(event_type, obj, event_id=event_id, created=created)


def completed_checkout(user_id: str | None, customer_id: str | None, **metadata: str) -> Any:
    session = stripe_object(
        "checkout.session",
        client_reference_id=user_id,
        customer=customer_id,
        metadata=metadata,
        mode="subscription",
        status="complete",
    )
    return event("checkout.session.completed", session, event_id="evt_checkout")


async def run(world: World, *payloads: Any) -> None:
    for payload in payloads:
        await world.deliver(payload)
    await world.drain()


def statuses(world: World) -> set[EventStatus]:
    return {e.status for e in world.inbox.events.values()}


def link_of(world: World, user_id: str) -> Customer | None:
    return world.customers.committed.get(user_id)


def refusals(world: World) -> list[tuple[str, str | None]]:
    return [(c.user_id, c.reason) for c in world.link_audit.committed if c.action == "refused"]


async def test_nothing_is_linked_unless_switched_on(world: World) -> None:
    await run(
        world,
        new_customer("customer.created", "evt_c", app_user_id="user-2", segment="b2b"),
        completed_checkout("user-3", NEW_CUSTOMER, segment="b2b"),
    )
    assert link_of(world, "user-2") is None
    assert link_of(world, "user-3") is None
    assert world.link_audit.committed == []
    assert statuses(world) == {EventStatus.PROCESSED}


async def test_a_customer_whose_metadata_names_a_user_is_linked_once() -> None:
    world = make_world(auto_link=AutoLinkSettings(from_metadata=True))
    created = new_customer("customer.created", "evt_c", app_user_id="user-2", segment="b2b")
    await run(world, created)
    await world.inbox.requeue("evt_c", now=world.clock.now())  # a replay changes nothing
    await world.drain()

    assert link_of(world, "user-2") == Customer("user-2", NEW_CUSTOMER, "b2b")
    [change] = world.link_audit.committed
    assert (change.action, change.actor, change.customer_id) == (
        "link",
        "stripe:metadata",
        NEW_CUSTOMER,
    )


async def test_the_segment_follows_later_metadata_but_never_an_older_event() -> None:
    world = make_world(auto_link=AutoLinkSettings(from_metadata=True))
    await run(
        world, new_customer("customer.created", "e1", T0, app_user_id="user-2", segment="b2b")
    )
    await run(
        world, new_customer("customer.updated", "e3", T0 + 20, app_user_id="user-2", segment="b2c")
    )
    # Stripe delivers out of order: an update older than the last one arrives late.
    await run(
        world,
        new_customer("customer.updated", "e2", T0 + 10, app_user_id="user-2", segment="enterprise"),
    )

    assert link_of(world, "user-2") == Customer("user-2", NEW_CUSTOMER, "b2c")
    assert [(c.action, c.segment, c.previous_segment) for c in world.link_audit.committed] == [
        ("link", "b2b", None),
        ("segment", "b2c", "b2b"),
    ]


async def test_metadata_without_a_segment_keeps_the_users_segment_or_takes_the_default() -> None:
    world = make_world(auto_link=AutoLinkSettings(from_metadata=True, default_segment="b2c"))
    await run(
        world, new_customer("customer.created", "e1", T0, app_user_id="user-2", segment="b2b")
    )
    await run(world, new_customer("customer.updated", "e2", T0 + 10, app_user_id="user-2"))
    assert link_of(world, "user-2") == Customer("user-2", NEW_CUSTOMER, "b2b")

    fresh = make_world(auto_link=AutoLinkSettings(from_metadata=True, default_segment="b2c"))
    await run(fresh, new_customer("customer.created", "e1", T0, app_user_id="user-2"))
    assert link_of(fresh, "user-2") == Customer("user-2", NEW_CUSTOMER, "b2c")


async def test_a_customer_linked_to_another_user_is_refused_and_audited() -> None:
    world = make_world(auto_link=AutoLinkSettings(from_metadata=True))
    # CUSTOMER belongs to user-1; its metadata now claims user-2.
    obj = stripe_object(
        "customer", id=CUSTOMER, metadata={"app_user_id": "user-2", "segment": "b2b"}
    )
    await run(world, event("customer.updated", obj, event_id="evt_u"))

    assert link_of(world, "user-1") == Customer("user-1", CUSTOMER, "b2c", "link@example.com")
    assert link_of(world, "user-2") is None
    [refusal] = world.link_audit.committed
    assert (refusal.action, refusal.reason, refusal.customer_id) == (
        "refused",
        "customer_linked_elsewhere",
        CUSTOMER,
    )
    assert "'user-1'" in (refusal.detail or "")
    assert statuses(world) == {EventStatus.PROCESSED}  # refused, not retried


async def test_a_user_linked_to_another_customer_is_never_moved() -> None:
    world = make_world(auto_link=BOTH)
    await run(
        world,
        new_customer("customer.created", "evt_c", app_user_id="user-1", segment="b2b"),
        completed_checkout("user-1", NEW_CUSTOMER, segment="b2b"),
    )

    assert link_of(world, "user-1") == Customer("user-1", CUSTOMER, "b2c", "link@example.com")
    assert refusals(world) == [
        ("user-1", "user_linked_elsewhere"),
        ("user-1", "user_linked_elsewhere"),
    ]
    assert {c.actor for c in world.link_audit.committed} == {"stripe:metadata", "stripe:checkout"}
    assert all(c.previous_customer_id == CUSTOMER for c in world.link_audit.committed)


async def test_an_unknown_or_missing_segment_is_refused_and_audited() -> None:
    world = make_world(auto_link=AutoLinkSettings(from_metadata=True))
    await run(
        world, new_customer("customer.created", "e1", T0, app_user_id="user-2", segment="gold")
    )
    other = stripe_object("customer", id="cus_Other1", metadata={"app_user_id": "user-3"})
    await run(world, event("customer.created", other, event_id="e2"))

    assert link_of(world, "user-2") is None
    assert link_of(world, "user-3") is None
    assert refusals(world) == [("user-2", "unknown_segment"), ("user-3", "no_segment")]


async def test_an_unknown_segment_leaves_a_linked_users_segment_alone() -> None:
    world = make_world(auto_link=AutoLinkSettings(from_metadata=True))
    await run(
        world, new_customer("customer.created", "e1", T0, app_user_id="user-2", segment="b2b")
    )
    await run(
        world, new_customer("customer.updated", "e2", T0 + 10, app_user_id="user-2", segment="gold")
    )
    assert link_of(world, "user-2") == Customer("user-2", NEW_CUSTOMER, "b2b")
    assert refusals(world) == [("user-2", "unknown_segment")]


async def test_the_metadata_keys_are_the_configured_ones() -> None:
    keys = AutoLinkSettings(from_metadata=True, user_id_key="uid", segment_key="tier")
    world = make_world(auto_link=keys)
    await run(world, new_customer("customer.created", "e1", app_user_id="user-2", segment="b2b"))
    await run(
        world, new_customer("customer.updated", "e2", T0 + 5, uid="user-2", tier="enterprise")
    )
    assert link_of(world, "user-2") == Customer("user-2", NEW_CUSTOMER, "enterprise")


async def test_a_completed_checkout_links_its_reference_to_its_customer() -> None:
    world = make_world(auto_link=AutoLinkSettings(from_checkout=True, default_segment="b2c"))
    await run(world, completed_checkout("user-2", NEW_CUSTOMER))
    assert link_of(world, "user-2") == Customer("user-2", NEW_CUSTOMER, "b2c")
    [change] = world.link_audit.committed
    assert (change.action, change.actor) == ("link", "stripe:checkout")


async def test_a_checkout_names_its_segment_and_without_a_reference_links_nothing() -> None:
    world = make_world(auto_link=AutoLinkSettings(from_checkout=True))
    await run(world, completed_checkout("user-2", NEW_CUSTOMER, segment="enterprise"))
    assert link_of(world, "user-2") == Customer("user-2", NEW_CUSTOMER, "enterprise")

    unnamed = make_world(auto_link=AutoLinkSettings(from_checkout=True, default_segment="b2c"))
    await run(unnamed, completed_checkout(None, NEW_CUSTOMER))
    assert unnamed.customers.committed.keys() == {"user-1"}
    assert unnamed.link_audit.committed == []


async def test_a_checkout_for_a_customer_another_user_holds_is_refused() -> None:
    world = make_world(auto_link=AutoLinkSettings(from_checkout=True, default_segment="b2c"))
    await run(world, completed_checkout("user-2", CUSTOMER))
    assert link_of(world, "user-2") is None
    assert refusals(world) == [("user-2", "customer_linked_elsewhere")]
