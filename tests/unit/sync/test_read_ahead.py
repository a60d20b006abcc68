"""A batch reads the objects its events' ordering rule settles by a provider read together,
after its locking prefetch and before any handler (``ProviderReads``): a batch waits for
one provider round trip, not one per such event. Only reads made in the unit of work that
holds the mirror's locks serve."""

from __future__ import annotations

import asyncio

from tests.fakes import FakeBillingEventSource

from adapters.stripe import objects
from application.errors import ProviderUnavailable
from application.sync.process_event import EventOutcome
from domain.billing.invoice import MirroredInvoice
from domain.billing.version import SourceVersion

from .builders import T0, event, invoice
from .conftest import World, make_world


class SlowSource(FakeBillingEventSource):
    """The provider: each invoice read takes a turn of the loop; records how many were in
    flight at once, and fails the first ``failing`` reads."""

    def __init__(self, world: World, failing: int = 0) -> None:
        super().__init__(world.clock)
        self.in_flight = self.most_in_flight = 0
        self.failing = failing
        self.log: list[str] = []

    async def retrieve_invoice(self, invoice_id: str) -> MirroredInvoice | None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0)
            self.log.append(f"read {invoice_id}")
            if self.failing:
                self.failing -= 1
                raise ProviderUnavailable("Stripe is having a moment")
            return await super().retrieve_invoice(invoice_id)
        finally:
            self.in_flight -= 1


async def two_invoices_twice_in_one_second(world: World, source: SlowSource) -> None:
    """in_1 and in_2 each changed twice in the same second: the second event of each is
    settled by reading the invoice from the provider (its truth: 999 due)."""
    world.source = source
    for inv_id in ("in_1", "in_2"):
        source.put(
            objects.invoice(invoice(inv_id, amount_due=999), SourceVersion(world.clock.now()))
        )
        for n in (1, 2):
            payload = invoice(inv_id, amount_due=n * 100)
            await world.deliver(
                event("invoice.created", payload, event_id=f"{inv_id}_e{n}", created=T0 - 5)
            )


def recording_saves(world: World, source: SlowSource) -> None:
    save = world.mirror.save_invoice

    async def recorded(record: MirroredInvoice) -> None:
        source.log.append(f"save {record.id}")
        await save(record)

    world.mirror.save_invoice = recorded  # type: ignore[method-assign]


async def test_a_batch_reads_what_its_events_will_refetch_together_before_any_handler() -> None:
    world = make_world()
    source = SlowSource(world)
    await two_invoices_twice_in_one_second(world, source)
    recording_saves(world, source)

    result = await (await world.worker()).execute(worker_id="w1")

    assert [r.outcome for r in result.results] == [EventOutcome.PROCESSED] * 4
    assert source.reads == 2  # one read per invoice, each served to its refetch
    assert source.most_in_flight == 2
    assert source.log[:2] == ["read in_1", "read in_2"]
    assert all(line.startswith("save") for line in source.log[2:])
    for inv_id in ("in_1", "in_2"):
        stored = world.mirror.invoices[inv_id]
        assert stored.amount_due == 999
        assert stored.version.is_read


async def test_a_read_ahead_that_failed_is_read_again_by_its_handler() -> None:
    world = make_world()
    source = SlowSource(world, failing=1)
    await two_invoices_twice_in_one_second(world, source)

    result = await (await world.worker()).execute(worker_id="w1")

    assert [r.outcome for r in result.results] == [EventOutcome.PROCESSED] * 4
    assert source.reads == 2
    assert source.log.count("read in_1") == 2  # failed, then read again
    assert {world.mirror.invoices[i].amount_due for i in ("in_1", "in_2")} == {999}


async def test_reads_made_ahead_of_one_unit_of_work_never_serve_another() -> None:
    """An event processed on its own (the batch's fallback) reads the provider again: a read
    made before its unit of work took the mirror's locks could be older than the mirror."""
    world = make_world()
    source = SlowSource(world)
    await two_invoices_twice_in_one_second(world, source)
    process = await world.process_event()
    claimed = list(world.inbox.events.values())
    first, second = (e for e in claimed if e.id.startswith("in_1"))
    assert (await process.execute(first)).outcome is EventOutcome.PROCESSED
    await process.prefetch(claimed)  # reads in_1 ahead
    reads = source.reads

    assert (await process.execute(second)).outcome is EventOutcome.PROCESSED

    assert source.reads == reads + 1


async def test_events_the_mirror_is_older_than_are_not_read_ahead() -> None:
    world = make_world()
    source = SlowSource(world)
    world.source = source
    for n in (1, 2):
        payload = invoice(f"in_{n}", amount_due=n * 100)
        await world.deliver(event("invoice.created", payload, event_id=f"e{n}", created=T0 + n))

    result = await (await world.worker()).execute(worker_id="w1")

    assert [r.outcome for r in result.results] == [EventOutcome.PROCESSED] * 2
    assert source.reads == 0
