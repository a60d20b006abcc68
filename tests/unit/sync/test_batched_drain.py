"""A worker processes its claim in one unit of work: each event in a savepoint, one commit.

What must hold whatever happens to that unit of work: every event's work commits with
its inbox mark, exactly once; an event that fails takes only its own work with it; no
outcome is reported for work that did not commit."""

from __future__ import annotations

import pytest
from tests.fakes import FakeBillingEventSource

from application.errors import PersistenceUnavailable, ProviderUnavailable
from application.ports.event_inbox import EventStatus
from application.sync.process_event import EventOutcome
from domain.billing.customer import MirroredCustomer

from .builders import T0, event, invoice
from .conftest import World, make_world


class SourceFailingFor(FakeBillingEventSource):
    """The provider, failing ``times`` reads of one customer with ``error``."""

    def __init__(self, world: World, customer_id: str, error: Exception, times: int) -> None:
        super().__init__(world.clock)
        self.failing, self.error, self.times = customer_id, error, times

    async def retrieve_customer(self, customer_id: str) -> MirroredCustomer | None:
        if customer_id == self.failing and self.times > 0:
            self.times -= 1
            raise self.error
        return await super().retrieve_customer(customer_id)


async def three_failed_payments(world: World, error: Exception, times: int = 100) -> None:
    """e1 and e3 carry their address; e2's customer is known only to the provider, whose
    reads of it fail ``times`` times with ``error`` (after e2's invoice was saved)."""
    world.source = SourceFailingFor(world, "cus_lost", error, times)
    for n in (1, 2, 3):
        inv = invoice(f"in_{n}", amount_due=100 * n, status="open")
        if n == 2:
            inv["customer"] = "cus_lost"
        else:
            inv["customer_email"] = f"payer{n}@acme.test"
        await world.deliver(event("invoice.payment_failed", inv, event_id=f"e{n}", created=T0 + n))


def statuses(world: World) -> dict[str, EventStatus]:
    return {i: e.status for i, e in world.inbox.events.items()}


async def test_a_claim_commits_once_with_every_events_work() -> None:
    world = make_world()
    await three_failed_payments(world, ProviderUnavailable("unused"), times=0)
    commits = world.transaction.commits

    result = await (await world.worker()).execute(worker_id="w1")

    assert [r.outcome for r in result.results] == [EventOutcome.PROCESSED] * 3
    assert world.transaction.commits - commits == 2  # the claim, then the whole batch
    assert set(statuses(world).values()) == {EventStatus.PROCESSED}
    assert sorted(world.mirror.invoices) == ["in_1", "in_2", "in_3"]
    assert len(world.outbox.messages) == 2  # cus_lost's provider record has no address


async def test_a_failing_event_in_a_batch_undoes_only_its_own_work() -> None:
    world = make_world()
    await three_failed_payments(world, ProviderUnavailable("Stripe answered 503"))
    log_before = len(world.transaction.log)

    result = await (await world.worker()).execute(worker_id="w1")

    outcomes = {r.event_id: r.outcome for r in result.results}
    assert outcomes == {
        "e1": EventOutcome.PROCESSED,
        "e2": EventOutcome.RETRYING,
        "e3": EventOutcome.PROCESSED,
    }
    assert "Stripe answered 503" in (result.results[1].error or "")
    assert statuses(world) == {
        "e1": EventStatus.PROCESSED,
        "e2": EventStatus.PENDING,
        "e3": EventStatus.PROCESSED,
    }
    assert world.inbox.events["e2"].attempts == 1
    # e2 saved its invoice before failing: that write is undone, the others' are kept
    assert sorted(world.mirror.invoices) == ["in_1", "in_3"]
    assert sorted(m.to for m in world.outbox.messages.values()) == [
        "payer1@acme.test",
        "payer3@acme.test",
    ]
    assert result.fell_back is None
    # the claim; the batch rolled back at e2; the batch again, e2 in its savepoint
    assert world.transaction.log[log_before:] == ["commit", "rollback", "commit"]


async def test_a_failed_batch_commit_falls_back_to_one_event_per_commit_without_duplicates() -> (
    None
):
    world = make_world()
    await three_failed_payments(world, ProviderUnavailable("Stripe answered 503"))
    world.transaction.fail_commits(after=1)  # the claim commits, the batch does not
    log_before = len(world.transaction.log)

    result = await (await world.worker()).execute(worker_id="w1")

    assert "deadlock" in (result.fell_back or "")
    assert world.transaction.log[log_before:] == [
        "commit",  # the claim
        "rollback",  # the batch without savepoints, once e2 failed
        *("failed commit", "rollback"),  # the batch with savepoints
        "commit",  # which events the worker still holds: all three
        *("commit", "rollback", "commit", "commit"),  # e1, e2 (failed, then marked), e3
    ]
    # each event reported once, with the outcome that committed
    assert [(r.event_id, r.outcome) for r in result.results] == [
        ("e1", EventOutcome.PROCESSED),
        ("e2", EventOutcome.RETRYING),
        ("e3", EventOutcome.PROCESSED),
    ]
    assert world.inbox.events["e2"].attempts == 1  # one failed attempt counted, not two
    assert sorted(world.mirror.invoices) == ["in_1", "in_3"]
    assert len(world.outbox.messages) == 2


async def test_a_batch_whose_commit_answer_was_lost_is_not_processed_again() -> None:
    world = make_world()
    await three_failed_payments(world, ProviderUnavailable("unused"), times=0)
    world.transaction.fail_commits(after=1, applied=True)
    log_before = len(world.transaction.log)

    result = await (await world.worker()).execute(worker_id="w1")

    # the fallback found none of the events still held: no event ran or committed again
    assert world.transaction.log[log_before:] == ["commit", "failed commit", "rollback", "commit"]
    assert result.results == ()
    assert set(statuses(world).values()) == {EventStatus.PROCESSED}
    assert len(world.outbox.messages) == 2


async def test_a_database_failure_inside_an_event_retries_the_claim_one_event_at_a_time() -> None:
    world = make_world()
    lost = PersistenceUnavailable("database failure while reading: connection lost")
    await three_failed_payments(world, lost, times=1)  # e2's first read fails, not its retry

    result = await (await world.worker()).execute(worker_id="w1")

    assert "connection lost" in (result.fell_back or "")
    assert [r.outcome for r in result.results] == [EventOutcome.PROCESSED] * 3
    assert set(statuses(world).values()) == {EventStatus.PROCESSED}
    assert all(e.attempts == 0 for e in world.inbox.events.values())
    assert sorted(world.mirror.invoices) == ["in_1", "in_2", "in_3"]
    assert len(world.outbox.messages) == 2


async def test_no_outcome_is_reported_when_nothing_could_commit() -> None:
    world = make_world()
    await three_failed_payments(world, ProviderUnavailable("unused"), times=0)
    world.transaction.fail_commits(after=1, times=100)  # the database is gone after the claim
    batch = await world.worker()

    with pytest.raises(PersistenceUnavailable):
        await batch.execute(worker_id="w1")

    assert set(statuses(world).values()) == {EventStatus.PENDING}  # claimed, left for later
    assert world.mirror.invoices == {}
    assert world.outbox.messages == {}


async def test_without_savepoints_every_event_commits_on_its_own() -> None:
    world = make_world()
    world.transaction.savepoints = False  # SQLite
    await three_failed_payments(world, ProviderUnavailable("Stripe answered 503"))
    commits = world.transaction.commits

    result = await (await world.worker()).execute(worker_id="w1")

    assert [r.outcome for r in result.results] == [
        EventOutcome.PROCESSED,
        EventOutcome.RETRYING,
        EventOutcome.PROCESSED,
    ]
    assert world.transaction.commits - commits == 4  # the claim, then one per event
    assert sorted(world.mirror.invoices) == ["in_1", "in_3"]


async def test_a_batch_that_breaks_outside_any_event_falls_back_instead_of_crashing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = make_world()
    await three_failed_payments(world, ProviderUnavailable("unused"), times=0)

    async def broken(event_ids: list[str], *, now: object) -> None:
        raise AttributeError("a bug in the batched marks")

    monkeypatch.setattr(world.inbox, "mark_processed_many", broken)

    result = await (await world.worker()).execute(worker_id="w1")

    assert "a bug in the batched marks" in (result.fell_back or "")
    assert [r.outcome for r in result.results] == [EventOutcome.PROCESSED] * 3
    assert set(statuses(world).values()) == {EventStatus.PROCESSED}
    assert len(world.outbox.messages) == 2


async def test_a_batch_reads_its_events_records_in_one_read_per_table_first() -> None:
    """``ProcessEvent.prefetch``: the invoices of the whole claim in one ``get_many``
    before any handler runs (each handler then finds its row without a round trip)."""
    world = make_world()
    await three_failed_payments(world, ProviderUnavailable("unused"), times=0)
    reads: list[tuple[str, ...]] = []
    get_many = world.mirror.get_many_invoices

    async def recording(ids):  # type: ignore[no-untyped-def]
        reads.append(tuple(sorted(ids)))
        return await get_many(ids)

    world.mirror.get_many_invoices = recording  # type: ignore[method-assign]

    result = await (await world.worker()).execute(worker_id="w1")

    assert [r.outcome for r in result.results] == [EventOutcome.PROCESSED] * 3
    assert reads == [("in_1", "in_2", "in_3")]
