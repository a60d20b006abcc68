"""``billing-portal sync`` a page at a time: one commit per page, resumable, ordered."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterable
from datetime import timedelta

import pytest
from tests.fakes import FakeBillingEventSource

from adapters.stripe import objects
from application.errors import PersistenceUnavailable, ProviderUnavailable
from application.sync import backfill_mirror
from application.sync.backfill_mirror import BackfillMirror
from domain.billing.customer import MirroredCustomer
from domain.billing.version import SourceVersion

from .builders import stripe_object
from .conftest import World

IDS = [f"cus_Page{n}X" for n in range(5)]


def _customers(world: World, *, email: str = "ada@example.com") -> None:
    read = SourceVersion(world.clock.now())
    for customer_id in IDS:
        world.source.put(
            objects.customer(stripe_object("customer", id=customer_id, email=email), read)
        )
        card = stripe_object("payment_method", id=f"pm_{customer_id}", customer=customer_id)
        world.source.put(objects.payment_method(card, read))


def _backfill(world: World) -> BackfillMirror:
    return BackfillMirror(world.mirror, world.source, world.transaction, world.clock)


class _FailsAfterPages(FakeBillingEventSource):
    """The provider stops answering after ``pages`` pages of customers."""

    def __init__(self, source: FakeBillingEventSource, pages: int) -> None:
        super().__init__(source.clock)
        vars(self).update({k: v for k, v in vars(source).items() if k != "clock"})
        self.pages_left = pages

    async def _customers_then_fail(self) -> AsyncIterator[list[MirroredCustomer]]:
        async for page in super().customer_pages():
            if self.pages_left == 0:
                raise ProviderUnavailable("Stripe stopped answering")
            self.pages_left -= 1
            yield page

    def customer_pages(self) -> AsyncIterator[list[MirroredCustomer]]:
        return self._customers_then_fail()


async def test_each_page_is_committed_once_and_an_interrupted_run_keeps_its_pages(
    world: World,
) -> None:
    _customers(world)
    world.source.page_size = 2  # pages of 2, 2 and 1 customers
    failing = _FailsAfterPages(world.source, pages=2)

    with pytest.raises(ProviderUnavailable):
        await BackfillMirror(world.mirror, failing, world.transaction, world.clock).execute()
    await world.transaction.rollback()  # what the unit of work does with the error

    assert sorted(world.mirror.customers) == IDS[:4]  # the two committed pages
    assert world.transaction.commits >= 2
    commits_before = world.transaction.commits

    result = await _backfill(world).execute()

    assert sorted(world.mirror.customers) == IDS
    assert result.read["customers"] == 5
    assert sorted(world.mirror.payment_methods) == sorted(f"pm_{i}" for i in IDS)
    # products (none), 3 customer pages, subscriptions (none) + coverage, invoices (none),
    # then the payment methods of the 5 customers: one batch
    assert world.transaction.commits - commits_before == 3 + 1 + 1


async def test_payment_methods_are_stored_a_batch_of_customers_at_a_time(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backfill_mirror, "PAYMENT_METHOD_BATCH", 2)
    _customers(world)
    progress: list[tuple[str, int]] = []

    result = await _backfill(world).execute(progress=lambda kind, n: progress.append((kind, n)))

    assert result.written["payment_methods"] == 5
    assert [n for kind, n in progress if kind == "payment_methods"] == [2, 4, 5]
    assert world.mirror.complete_since.keys() == set(IDS)


async def test_a_page_never_replaces_a_newer_state_held_by_the_mirror(world: World) -> None:
    _customers(world, email="listed@example.com")  # read at T0
    listed_at = world.clock.now()
    newer = dataclasses.replace(
        world.source.customers[IDS[2]],
        email="event@example.com",
        version=SourceVersion(listed_at + timedelta(seconds=30), event_id="evt_9"),
    )
    older = dataclasses.replace(
        world.source.customers[IDS[3]],
        email="old@example.com",
        version=SourceVersion(listed_at - timedelta(seconds=30), event_id="evt_1"),
    )
    await world.mirror.save_customer(newer)
    await world.mirror.save_customer(older)
    await world.transaction.commit()

    result = await _backfill(world).execute()

    assert world.mirror.customers[IDS[2]].email == "event@example.com"
    assert world.mirror.customers[IDS[3]].email == "listed@example.com"
    assert world.mirror.customers[IDS[0]].email == "listed@example.com"
    assert result.written["customers"] == 4
    assert result.read["customers"] == 5


class _ConflictOnce:
    """``save_many_customers`` fails once as a concurrent insert of the same id would."""

    def __init__(self, world: World) -> None:
        self.failed = False
        self.save_many = world.mirror.save_many_customers

    async def __call__(self, records: Iterable[MirroredCustomer]) -> None:
        if not self.failed:
            self.failed = True
            raise PersistenceUnavailable("written by another transaction at the same time")
        await self.save_many(records)


async def test_a_page_that_met_a_concurrent_insert_is_read_and_stored_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _customers(world)
    monkeypatch.setattr(world.mirror, "save_many_customers", _ConflictOnce(world))

    result = await _backfill(world).execute()

    assert world.transaction.rollbacks == 1
    assert sorted(world.mirror.customers) == IDS
    assert result.written["customers"] == 5
