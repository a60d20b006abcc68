"""SqlaCustomerDirectory on PostgreSQL and SQLite."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.persistence import SqlaCustomerDirectory, SqlaTransactionManager
from adapters.persistence.tables import customer_links
from application.errors import InvalidRequest
from domain.customer import Customer

ALICE = Customer("user-alice", "cus_Alice", "b2c", "alice@example.com")


async def _saved(factory: async_sessionmaker[AsyncSession], *customers: Customer) -> None:
    async with factory() as session:
        for customer in customers:
            await SqlaCustomerDirectory(session).save(customer)
        await SqlaTransactionManager(session).commit()


async def test_a_saved_customer_reads_back_by_user_and_by_stripe_id(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await _saved(session_factory, ALICE)

    async with session_factory() as session:
        directory = SqlaCustomerDirectory(session)
        assert await directory.get("user-alice") == ALICE
        assert await directory.get_by_stripe_customer_id("cus_Alice") == ALICE
        assert await directory.get("user-nobody") is None
        assert await directory.get_by_stripe_customer_id("cus_Nobody") is None


async def test_saving_again_replaces_the_link_and_keeps_its_creation_time(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await _saved(session_factory, ALICE)
    async with session_factory() as session:
        first = (await session.execute(select(customer_links))).one()

    moved = Customer("user-alice", "cus_AliceNew", "enterprise", None)
    await _saved(session_factory, moved)

    async with session_factory() as session:
        directory = SqlaCustomerDirectory(session)
        assert await directory.get("user-alice") == moved
        assert await directory.get_by_stripe_customer_id("cus_Alice") is None
        rows = (await session.execute(select(customer_links))).all()
    assert len(rows) == 1
    assert rows[0].created_at == first.created_at
    assert rows[0].updated_at > first.updated_at
    assert rows[0].created_at.utcoffset() is not None


async def test_users_without_a_billing_account_can_coexist(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await _saved(
        session_factory,
        Customer("user-a", None, "b2c"),
        Customer("user-b", None, "b2b"),
    )

    async with session_factory() as session:
        directory = SqlaCustomerDirectory(session)
        assert await directory.get("user-a") == Customer("user-a", None, "b2c")
        assert await directory.get("user-b") == Customer("user-b", None, "b2b")


async def test_a_stripe_customer_already_linked_to_another_user_is_refused(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await _saved(session_factory, ALICE)

    async with session_factory() as session:
        directory = SqlaCustomerDirectory(session)
        with pytest.raises(InvalidRequest, match="cus_Alice is already linked") as refused:
            await directory.save(Customer("user-mallory", "cus_Alice", "b2c"))
        assert refused.value.field == "customer_id"
        await SqlaTransactionManager(session).rollback()

        assert await directory.get("user-mallory") is None
        assert await directory.get_by_stripe_customer_id("cus_Alice") == ALICE


@pytest.mark.parametrize(
    ("customer", "field"),
    [
        (Customer("user-long", "cus_1", "b2c", "a" * 320 + "@example.com"), "email"),
        (Customer("u" * 256, "cus_1", "b2c"), "user_id"),
        (Customer("user-long", "cus_" + "x" * 252, "b2c"), "customer_id"),
    ],
)
async def test_values_longer_than_their_column_are_refused_naming_the_field(
    session: AsyncSession, customer: Customer, field: str
) -> None:
    with pytest.raises(InvalidRequest, match="longer than") as refused:
        await SqlaCustomerDirectory(session).save(customer)

    assert refused.value.field == field
