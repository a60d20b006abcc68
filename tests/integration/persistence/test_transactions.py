"""Nothing the repositories write is visible to others until the transaction commits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.persistence import (
    SqlaConfigurationMappings,
    SqlaCustomerDirectory,
    SqlaTransactionManager,
)
from application.ports.configuration_mappings import ConfigurationMapping
from domain.customer import Customer

BOB = Customer("user-bob", "cus_Bob", "b2b", "bob@example.com")
MAPPING = ConfigurationMapping("b2b", "bpc_B2b", "sha256:1", True, datetime(2025, 1, 2, tzinfo=UTC))
B2C = ConfigurationMapping("b2c", "bpc_B2c", "sha256:2", True, datetime(2025, 1, 2, tzinfo=UTC))
only_postgres = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


async def test_writes_become_visible_to_other_sessions_only_after_commit(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as writer, session_factory() as reader:
        await SqlaCustomerDirectory(writer).save(BOB)
        await SqlaConfigurationMappings(writer).save(MAPPING)

        assert await SqlaCustomerDirectory(reader).get("user-bob") is None
        assert await SqlaConfigurationMappings(reader).get("b2b") is None
        await SqlaTransactionManager(reader).rollback()  # end the reader's snapshot

        await SqlaTransactionManager(writer).commit()

        assert await SqlaCustomerDirectory(reader).get("user-bob") == BOB
        assert await SqlaConfigurationMappings(reader).get("b2b") == MAPPING


async def test_rollback_discards_every_write_of_the_unit_of_work(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        await SqlaCustomerDirectory(session).save(BOB)
        await SqlaConfigurationMappings(session).save(MAPPING)
        await SqlaTransactionManager(session).rollback()

        assert await SqlaCustomerDirectory(session).get("user-bob") is None
        assert await SqlaConfigurationMappings(session).get("b2b") is None

    async with session_factory() as other:
        assert await SqlaCustomerDirectory(other).get("user-bob") is None


async def save_then_fail(
    transaction: SqlaTransactionManager, mappings: SqlaConfigurationMappings
) -> None:
    async with transaction.savepoint():
        await mappings.save(MAPPING)
        raise RuntimeError("this event failed")


@only_postgres
async def test_a_savepoint_that_fails_undoes_only_its_own_writes(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        transaction = SqlaTransactionManager(session)
        assert transaction.supports_savepoints
        await SqlaCustomerDirectory(session).save(BOB)
        with pytest.raises(RuntimeError):
            await save_then_fail(transaction, SqlaConfigurationMappings(session))
        with pytest.raises(Exception, match="division by zero"):
            async with transaction.savepoint():  # a failed statement, as a deadlock would be
                await session.execute(text("SELECT 1 / 0"))
        async with transaction.savepoint():
            await SqlaConfigurationMappings(session).save(B2C)
        await transaction.commit()

    async with session_factory() as other:
        assert await SqlaCustomerDirectory(other).get("user-bob") == BOB
        assert await SqlaConfigurationMappings(other).get("b2b") is None
        assert await SqlaConfigurationMappings(other).get("b2c") == B2C
