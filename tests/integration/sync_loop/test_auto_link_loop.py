"""Automatic linking through the whole loop: a customer created or changed at Stripe (the
sandbox) with metadata naming an app user, or a signed checkout.session.completed posted to
the webhook route, links the user; each conflict is refused, audited, listed by
``customers conflicts`` and counted in /metrics."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import pytest
from click.testing import CliRunner
from loop_world import SyncWorld, sync_world, until
from metrics_scrape import value

from application.customers.list_link_conflicts import ListLinkConflicts
from application.ports.customer_directory import CustomerDirectory
from domain.customer import Customer
from entrypoints.cli.main import cli
from stripe_sandbox import sign

pytestmark = pytest.mark.postgres

AUTO_LINK = {
    "PORTAL_AUTOLINK_METADATA": "1",
    "PORTAL_AUTOLINK_CHECKOUT": "1",
    "PORTAL_AUTOLINK_DEFAULT_SEGMENT": "b2c",
}
REFUSED = "billing_portal_customer_link_changes_total"


@pytest.fixture
async def world(empty_postgres_url: str) -> AsyncIterator[SyncWorld]:
    async with sync_world(empty_postgres_url, extra_environment=AUTO_LINK) as world:
        yield world


async def link_of(world: SyncWorld, user_id: str) -> Customer | None:
    found: Customer | None = await world.use_case(CustomerDirectory, lambda d: d.get(user_id))
    return found


async def linked_as(world: SyncWorld, user_id: str, customer_id: str, segment: str) -> None:
    async def done() -> bool:
        link = await link_of(world, user_id)
        return link is not None and (link.stripe_customer_id, link.segment) == (
            customer_id,
            segment,
        )

    await until(lambda: world.work_then(done), f"{user_id} linked to {customer_id} ({segment})")


async def cli_output(world: SyncWorld, *args: str) -> str:
    """The operator's command, in a thread: the CLI runs its own event loop."""
    runner = CliRunner()
    result = await asyncio.to_thread(runner.invoke, cli, list(args), env=world.environment)
    assert result.exit_code == 0, result.output
    return result.output


async def refusals_recorded(world: SyncWorld, count: int) -> bool:
    await world.drain()
    report = await world.use_case(ListLinkConflicts, lambda uc: uc.execute())
    return len(report.refusals) >= count


async def post_checkout(world: SyncWorld, user_id: str, customer_id: str) -> None:
    session = {
        "id": f"cs_test_{user_id}",
        "object": "checkout.session",
        "client_reference_id": user_id,
        "customer": customer_id,
        "mode": "subscription",
        "status": "complete",
        "metadata": {},
    }
    payload = json.dumps(
        {
            "id": f"evt_checkout_{user_id}",
            "object": "event",
            "type": "checkout.session.completed",
            "created": int(time.time()),
            "livemode": False,
            "data": {"object": session},
        }
    ).encode()
    header = sign(payload, world.webhook_secret, int(time.time()))
    response = await world.api.post(
        "/api/webhooks/stripe",
        content=payload,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text


async def test_metadata_at_stripe_links_the_user_and_the_segment_follows(
    world: SyncWorld,
) -> None:
    created = await world.stripe.v1.customers.create_async(
        {"email": "nia@example.com", "metadata": {"app_user_id": "user_nia", "segment": "b2b"}}
    )
    await linked_as(world, "user_nia", created.id, "b2b")

    await world.stripe.v1.customers.update_async(
        created.id, {"metadata": {"segment": "enterprise"}}
    )
    await linked_as(world, "user_nia", created.id, "enterprise")

    summary = await world.summary("user_nia")
    assert summary["portal"] is not None  # the portal rules see the new link


async def test_a_signed_checkout_links_its_reference_to_its_customer(world: SyncWorld) -> None:
    created = await world.stripe.v1.customers.create_async({"email": "omar@example.com"})
    await post_checkout(world, "user_omar", created.id)
    await linked_as(world, "user_omar", created.id, "b2c")  # the default segment


async def test_every_conflict_is_refused_listed_and_counted(world: SyncWorld) -> None:
    before = (await world.api.get("/metrics")).text
    b2c_customer, b2b_customer = world.customer_of("user_b2c"), world.customer_of("user_b2b")
    # A new customer claims a user who is linked to another customer.
    await world.stripe.v1.customers.create_async(
        {"metadata": {"app_user_id": "user_b2c", "segment": "b2c"}}
    )
    # A linked customer's metadata claims another user.
    await world.stripe.v1.customers.update_async(
        b2b_customer, {"metadata": {"app_user_id": "user_intruder"}}
    )
    # A segment the policy does not know.
    await world.stripe.v1.customers.create_async(
        {"metadata": {"app_user_id": "user_gold", "segment": "gold"}}
    )
    # A checkout for a customer another user holds.
    await post_checkout(world, "user_thief", b2c_customer)

    await until(lambda: refusals_recorded(world, 4), "four refusals to be audited")
    output = await cli_output(world, "customers", "conflicts", "--json")
    listed = [json.loads(line) for line in output.splitlines()]
    by_user = {r["user_id"]: r for r in listed}
    assert len(listed) == 4
    assert by_user["user_b2c"]["reason"] == "user_linked_elsewhere"
    assert by_user["user_b2c"]["previous_customer_id"] == b2c_customer
    assert by_user["user_intruder"]["reason"] == "customer_linked_elsewhere"
    assert "'user_b2b'" in by_user["user_intruder"]["detail"]
    assert by_user["user_gold"]["reason"] == "unknown_segment"
    assert by_user["user_thief"]["reason"] == "customer_linked_elsewhere"
    assert by_user["user_thief"]["actor"] == "stripe:checkout"
    # Nothing was overwritten.
    assert (await link_of(world, "user_b2c")) is not None
    assert (await link_of(world, "user_b2c")).stripe_customer_id == b2c_customer  # type: ignore[union-attr]
    assert (await link_of(world, "user_b2b")).stripe_customer_id == b2b_customer  # type: ignore[union-attr]
    assert await link_of(world, "user_intruder") is None
    assert await link_of(world, "user_gold") is None

    after = (await world.api.get("/metrics")).text
    refused = value(after, REFUSED, action="refused") - value(before, REFUSED, action="refused")
    assert refused == 4
    text = await cli_output(world, "customers", "conflicts")
    assert "4 refusal(s):" in text
    assert "customer_linked_elsewhere" in text
