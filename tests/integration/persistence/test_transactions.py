"""Nothing the repositories write is visible to others until the transaction commits."""

from __future__ import annotations

from datetime import UTC, datetime

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
