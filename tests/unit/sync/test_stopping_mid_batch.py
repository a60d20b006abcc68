"""A worker told to stop (SIGTERM) mid-batch finishes the item in hand and gives the rest
of its claim back at once, so another worker takes it without waiting for the lease."""

from __future__ import annotations

from tests.fakes import FakeMailer

from adapters.email.renderer import JinjaEmailRenderer
from application.ports.event_inbox import EventStatus
from application.ports.outbox import OutboxStatus
from application.sync.send_outbox_batch import SendOutboxBatch

from .builders import T0, event, invoice
from .conftest import World, make_world


class StopAfter:
    """``stopping`` that says yes once it has been asked ``n`` times (n items started)."""

    def __init__(self, n: int) -> None:
        self.n, self.asked = n, 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.asked > self.n


async def five_failed_payments(world: World) -> None:
    for n in range(5):
        inv = invoice(f"in_{n}", amount_due=100 + n)
        await world.deliver(event("invoice.payment_failed", inv, event_id=f"e{n}", created=T0 + n))


async def test_a_stopping_worker_finishes_the_event_in_hand_and_releases_the_rest() -> None:
    world = make_world()
    await five_failed_payments(world)
    batch = await world.worker()

    result = await batch.execute(worker_id="w1", limit=5, stopping=StopAfter(2))

    assert [r.event_id for r in result.results] == ["e0", "e1"]
    assert result.released == 3
    statuses = {i: e.status for i, e in world.inbox.events.items()}
    assert statuses == {
        "e0": EventStatus.PROCESSED,
        "e1": EventStatus.PROCESSED,
        "e2": EventStatus.PENDING,
        "e3": EventStatus.PENDING,
        "e4": EventStatus.PENDING,
    }
    assert world.transaction.log[-1] == "commit"  # the release is committed, not rolled back
    # another worker takes the rest now, not a lease later
    other = await world.inbox.claim_due(
        worker_id="w2", now=world.clock.now(), limit=10, lease_seconds=30
    )
    assert [e.id for e in other] == ["e2", "e3", "e4"]


async def test_a_worker_that_is_not_stopping_processes_its_whole_claim() -> None:
    world = make_world()
    await five_failed_payments(world)

    result = await (await world.worker()).execute(worker_id="w1", limit=5)

    assert result.claimed == 5
    assert result.released == 0


async def test_a_stopping_worker_sends_the_email_in_hand_and_releases_the_rest() -> None:
    world = make_world()
    await five_failed_payments(world)
    await world.drain()
    mailer = FakeMailer()
    send = SendOutboxBatch(
        world.outbox, JinjaEmailRenderer(), mailer, world.clock, world.transaction,
        world.settings, message_id_domain="billing.acme.test",
    )  # fmt: skip

    result = await send.execute(worker_id="w1", limit=5, stopping=StopAfter(1))

    assert len(result.sent) == 1
    assert len(mailer.sent) == 1
    assert result.released == 4
    pending = [m for m in world.outbox.messages.values() if m.status is OutboxStatus.PENDING]
    assert len(pending) == 4
    taken = await world.outbox.claim_due(
        worker_id="w2", now=world.clock.now(), limit=10, lease_seconds=30
    )
    assert len(taken) == 4
