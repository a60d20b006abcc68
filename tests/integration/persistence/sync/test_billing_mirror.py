"""SqlaBillingMirror on PostgreSQL and SQLite: exact round trips, upserts, invoice pages."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.persistence import SqlaBillingMirror, SqlaTransactionManager
from application.errors import PersistenceUnavailable
from application.ports.billing_mirror import InvoiceCursor
from domain.billing.customer import MirroredCustomer
from domain.billing.product import MirroredProduct
from domain.billing.subscription import MirroredSubscription
from domain.subscription import SubscriptionStatus

from .mirror_records import FROM_READ, T0, customer, invoice, payment_method, subscription


async def test_every_record_reads_back_exactly_with_its_version(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    bare = MirroredCustomer(id="cus_2", version=FROM_READ)
    detached = payment_method(id="pm_2", customer_id=None, detached=True, brand=None)
    async with session_factory() as session:
        mirror = SqlaBillingMirror(session)
        for record in (customer(), bare):
            await mirror.save_customer(record)
        await mirror.save_subscription(subscription())
        await mirror.save_invoice(invoice("in_1", T0))
        await mirror.save_payment_method(payment_method())
        await mirror.save_payment_method(detached)
        await SqlaTransactionManager(session).commit()

    async with session_factory() as session:
        mirror = SqlaBillingMirror(session)
        assert await mirror.get_customer("cus_1") == customer()
        assert await mirror.get_customer("cus_2") == bare
        stored_subscription = await mirror.get_subscription("sub_1")
        assert stored_subscription == subscription()
        assert stored_subscription.subscription.raw_status == "brand_new_status"
        assert await mirror.get_invoice("in_1") == invoice("in_1", T0)
        assert await mirror.get_payment_method("pm_1") == payment_method()
        assert await mirror.get_payment_method("pm_2") == detached
        for missing in ("cus_x", "sub_x", "in_x", "pm_x"):
            assert await mirror.get_customer(missing) is None
            assert await mirror.get_subscription(missing) is None
            assert await mirror.get_invoice(missing) is None
            assert await mirror.get_payment_method(missing) is None


async def test_saving_again_replaces_the_record_and_its_version(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    newer = customer(version=FROM_READ, email=None, address=None, tax_ids=(), deleted=True)
    canceled = subscription(version=FROM_READ, prices=())
    async with session_factory() as session:
        mirror = SqlaBillingMirror(session)
        await mirror.save_customer(customer())
        await mirror.save_subscription(subscription())
        await SqlaTransactionManager(session).commit()

    async with session_factory() as session:
        mirror = SqlaBillingMirror(session)
        assert await mirror.get_customer("cus_1") == customer()
        await mirror.save_customer(newer)
        await mirror.save_subscription(canceled)
        await SqlaTransactionManager(session).commit()

    async with session_factory() as session:
        mirror = SqlaBillingMirror(session)
        assert await mirror.get_customer("cus_1") == newer
        assert await mirror.get_subscription("sub_1") == canceled


async def test_lists_every_subscription_of_the_customer_only(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    def of(sub_id: str, **changes: object) -> MirroredSubscription:
        record = subscription(sub_id)
        return replace(record, subscription=replace(record.subscription, **changes))

    ended = of("sub_b", status=SubscriptionStatus.CANCELED, created=T0 + timedelta(days=1))
    async with session_factory() as session:
        mirror = SqlaBillingMirror(session)
        for record in (ended, of("sub_c", customer_id="cus_other"), of("sub_a")):
            await mirror.save_subscription(record)
        await SqlaTransactionManager(session).commit()
        assert await mirror.list_subscriptions("cus_1") == [of("sub_a"), ended]
        assert await mirror.list_subscriptions("cus_nobody") == []


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_a_record_read_for_a_decision_stays_locked_until_the_unit_of_work_ends(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    lock_now = text("SELECT id FROM billing_customers WHERE id = 'cus_1' FOR UPDATE NOWAIT")
    async with session_factory() as session:
        await SqlaBillingMirror(session).save_customer(customer())
        await SqlaTransactionManager(session).commit()

    async with session_factory() as deciding, session_factory() as other:
        assert await SqlaBillingMirror(deciding).get_customer("cus_1") == customer()
        with pytest.raises(DBAPIError, match="could not obtain lock"):
            await other.execute(lock_now)
        await other.rollback()

        await SqlaTransactionManager(deciding).commit()
        assert (await other.execute(lock_now)).scalar_one() == "cus_1"


async def test_invoices_page_newest_first_with_ties_broken_by_id(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    same_second = T0 + timedelta(days=60)
    invoices = [
        invoice("in_a", T0),
        invoice("in_b", T0 + timedelta(days=30)),
        invoice("in_c", same_second),
        invoice("in_d", same_second),
        invoice("in_e", T0 + timedelta(days=90)),
    ]
    async with session_factory() as session:
        mirror = SqlaBillingMirror(session)
        for record in invoices:
            await mirror.save_invoice(record)
        await mirror.save_invoice(invoice("in_other", T0, customer_id="cus_other"))
        await SqlaTransactionManager(session).commit()

        pages: list[list[str]] = []
        after = None
        while True:
            page = await mirror.list_invoices("cus_1", limit=2, after=after)
            if not page:
                break
            pages.append([i.id for i in page])
            after = InvoiceCursor(page[-1].created, page[-1].id)

    assert pages == [["in_e", "in_d"], ["in_c", "in_b"], ["in_a"]]
    async with session_factory() as session:
        assert await SqlaBillingMirror(session).list_invoices("cus_1", limit=10) == [
            invoices[4], invoices[3], invoices[2], invoices[1], invoices[0]
        ]  # fmt: skip


async def test_an_insert_racing_with_a_read_that_found_nothing_fails_instead_of_overwriting(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """Two workers get the same unseen customer: the second one's save must not silently
    replace a state it never compared with; its event is rolled back and retried."""
    newer = customer(version=FROM_READ, name="Newer")
    async with session_factory() as first, session_factory() as second:
        late = SqlaBillingMirror(second)
        assert await late.get_customer("cus_1") is None
        await SqlaTransactionManager(second).rollback()  # end the snapshot; SQLite has one writer

        early = SqlaBillingMirror(first)
        assert await early.get_customer("cus_1") is None
        await early.save_customer(newer)
        await SqlaTransactionManager(first).commit()

        with pytest.raises(PersistenceUnavailable, match="at the same time"):
            await late.save_customer(customer())
        await SqlaTransactionManager(second).rollback()

    async with session_factory() as session:
        assert await SqlaBillingMirror(session).get_customer("cus_1") == newer


async def test_nothing_saved_survives_a_rollback(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        mirror = SqlaBillingMirror(session)
        await mirror.save_customer(customer())
        await SqlaTransactionManager(session).rollback()
        assert await mirror.get_customer("cus_1") is None


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_a_row_held_by_the_unit_of_work_reads_back_what_the_database_holds(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """Rows read or written under the transaction's lock are read again without a round
    trip, but never past the end of that lock: a savepoint rolled back, a commit."""
    async with session_factory() as session:
        mirror, transaction = SqlaBillingMirror(session), SqlaTransactionManager(session)
        assert await mirror.get_customer("cus_1") is None
        await mirror.save_customer(customer())
        assert await mirror.get_customer("cus_1") == customer()  # as saved
        with pytest.raises(RuntimeError):
            await save_in_a_failing_savepoint(mirror, transaction, customer(name="Undone"))
        assert await mirror.get_customer("cus_1") == customer()  # not the undone save
        await transaction.commit()

        async with session_factory() as other:
            await SqlaBillingMirror(other).save_customer(customer(name="Changed elsewhere"))
            await SqlaTransactionManager(other).commit()
        found = await mirror.get_customer("cus_1")
    assert found is not None
    assert found.name == "Changed elsewhere"


async def save_in_a_failing_savepoint(
    mirror: SqlaBillingMirror, transaction: SqlaTransactionManager, record: MirroredCustomer
) -> None:
    async with transaction.savepoint():
        await mirror.save_customer(record)
        assert await mirror.get_customer(record.id) == record
        raise RuntimeError("the event failed after saving")


async def test_a_row_read_once_then_saved_in_a_batch_reads_back_the_batch_s_version(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        mirror = SqlaBillingMirror(session)
        await mirror.save_customer(customer())
        assert await mirror.get_customer("cus_1") == customer()
        await mirror.save_many_customers([customer(name="From the backfill")])
        found = await mirror.get_customer("cus_1")
    assert found is not None
    assert found.name == "From the backfill"


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_rows_read_many_at_once_are_read_again_without_a_round_trip_until_the_commit(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """A worker's batch reads its events' rows with ``get_many_*`` first: ``get_*`` then
    answers from what that read found (and did not find), until the transaction ends;
    a row it found missing is inserted, and an insert racing with it still fails."""
    async with session_factory() as session:
        await SqlaBillingMirror(session).save_customer(customer())
        await SqlaTransactionManager(session).commit()

    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    async with session_factory() as session, session_factory() as other:
        mirror, transaction = SqlaBillingMirror(session), SqlaTransactionManager(session)
        await mirror.get_many_customers(["cus_1", "cus_new"])
        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert await mirror.get_customer("cus_1") == customer()
            assert await mirror.get_customer("cus_new") is None
            assert statements == []
            await mirror.save_customer(customer(id="cus_new"))  # a plain INSERT
            assert await mirror.get_customer("cus_new") == customer(id="cus_new")
            assert len(statements) == 1
            await transaction.commit()

            await mirror.get_many_customers(["cus_race"])
            await SqlaBillingMirror(other).save_customer(customer(id="cus_race", name="Other"))
            await SqlaTransactionManager(other).commit()
            assert await mirror.get_customer("cus_race") is None  # as the read found it
            with pytest.raises(PersistenceUnavailable, match="at the same time"):
                await mirror.save_customer(customer(id="cus_race"))
            await transaction.rollback()
            statements.clear()
            found = await mirror.get_customer("cus_race")  # read again after the rollback
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert found is not None
    assert found.name == "Other"
    assert len(statements) == 1


async def test_product_names_are_read_once_per_unit_of_work_and_follow_its_own_saves(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    basic = MirroredProduct(id="prod_basic", version=FROM_READ, name="Basic")
    async with session_factory() as session:
        await SqlaBillingMirror(session).save_product(basic)
        await SqlaTransactionManager(session).commit()

    async with session_factory() as session:
        mirror, transaction = SqlaBillingMirror(session), SqlaTransactionManager(session)
        assert await mirror.product_names(["prod_basic", "prod_x"]) == {"prod_basic": "Basic"}
        await session.execute(text("UPDATE billing_products SET name = 'Renamed'"))
        assert await mirror.product_names(["prod_basic"]) == {"prod_basic": "Basic"}  # kept
        await mirror.save_product(MirroredProduct(id="prod_x", version=FROM_READ, name="X"))
        assert await mirror.product_names(["prod_basic", "prod_x"]) == {
            "prod_basic": "Basic",
            "prod_x": "X",
        }
        await transaction.commit()
        assert await mirror.product_names(["prod_basic"]) == {"prod_basic": "Renamed"}
