"""SqlaBillingMirror a page at a time (the backfill): one locking read, bulk writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.persistence import SqlaBillingMirror, SqlaTransactionManager
from application.errors import PersistenceUnavailable

from .mirror_records import FROM_READ, T0, customer, invoice, payment_method, subscription


async def test_a_page_reads_back_what_it_saved_and_replaces_what_was_there(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        mirror = SqlaBillingMirror(session)
        await mirror.save_customer(customer())
        await SqlaTransactionManager(session).commit()

    renamed = customer(version=FROM_READ, name="Renamed")
    others = [customer(id=f"cus_{n}", version=FROM_READ) for n in range(2, 5)]
    async with session_factory() as session:
        mirror = SqlaBillingMirror(session)
        held = await mirror.get_many_customers(["cus_1", "cus_2", "cus_3", "cus_4", "cus_x"])
        assert held == {"cus_1": customer()}
        await mirror.save_many_customers([renamed, *others])
        await mirror.save_many_subscriptions([subscription()])
        await mirror.save_many_invoices([invoice("in_1", T0), invoice("in_2", T0)])
        await mirror.save_many_payment_methods([payment_method()])
        await mirror.save_many_customers([])
        await SqlaTransactionManager(session).commit()

    async with session_factory() as session:
        mirror = SqlaBillingMirror(session)
        found = await mirror.get_many_customers(["cus_1", "cus_2", "cus_3", "cus_4"])
        assert found == {"cus_1": renamed, **{c.id: c for c in others}}
        assert await mirror.get_many_subscriptions(["sub_1"]) == {"sub_1": subscription()}
        assert set(await mirror.get_many_invoices(["in_1", "in_2", "in_3"])) == {"in_1", "in_2"}
        assert await mirror.get_many_payment_methods(["pm_1"]) == {"pm_1": payment_method()}
        assert await mirror.get_many_products([]) == {}
        assert await mirror.last_written_at("cus_1") is not None


async def test_a_page_insert_racing_with_a_read_that_found_nothing_fails(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """As for one record: the ids a page read found missing are inserted, never upserted,
    so a state written meanwhile by a worker is not replaced without being compared."""
    newer = customer(version=FROM_READ, name="From a webhook")
    async with session_factory() as first, session_factory() as second:
        late = SqlaBillingMirror(second)
        assert await late.get_many_customers(["cus_1", "cus_2"]) == {}
        await SqlaTransactionManager(second).rollback()  # SQLite has one writer

        early = SqlaBillingMirror(first)
        await early.get_customer("cus_1")
        await early.save_customer(newer)
        await SqlaTransactionManager(first).commit()

        with pytest.raises(PersistenceUnavailable, match="at the same time"):
            await late.save_many_customers([customer(), customer(id="cus_2")])
        await SqlaTransactionManager(second).rollback()

    async with session_factory() as session:
        mirror = SqlaBillingMirror(session)
        assert await mirror.get_many_customers(["cus_1", "cus_2"]) == {"cus_1": newer}


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_the_rows_of_a_page_stay_locked_until_the_unit_of_work_ends(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    lock_now = text("SELECT id FROM billing_customers WHERE id = 'cus_2' FOR UPDATE NOWAIT")
    async with session_factory() as session:
        mirror = SqlaBillingMirror(session)
        await mirror.save_customer(customer())
        await mirror.save_customer(customer(id="cus_2"))
        await SqlaTransactionManager(session).commit()

    async with session_factory() as deciding, session_factory() as other:
        assert len(await SqlaBillingMirror(deciding).get_many_customers(["cus_1", "cus_2"])) == 2
        with pytest.raises(DBAPIError, match="could not obtain lock"):
            await other.execute(lock_now)
        await other.rollback()

        await SqlaTransactionManager(deciding).commit()
        assert (await other.execute(lock_now)).scalar_one() == "cus_2"


async def test_many_customers_are_marked_complete_at_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        mirror = SqlaBillingMirror(session)
        await mirror.mark_subscriptions_complete(["cus_1"], at=T0)
        await mirror.mark_subscriptions_complete(["cus_1", "cus_2", "cus_2"], at=T0 + timedelta(1))
        await mirror.mark_subscriptions_complete([], at=T0)
        await SqlaTransactionManager(session).commit()
        assert await mirror.subscriptions_complete("cus_1")
        assert await mirror.subscriptions_complete("cus_2")
        assert not await mirror.subscriptions_complete("cus_3")
