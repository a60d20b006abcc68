"""SqlaConfigurationMappings on PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.persistence import SqlaConfigurationMappings, SqlaTransactionManager
from application.ports.configuration_mappings import ConfigurationMapping

APPLIED = datetime(2025, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
B2C = ConfigurationMapping("b2c", "bpc_B2c", "sha256:aaa", True, APPLIED)
B2B = ConfigurationMapping("b2b", "bpc_B2b", "sha256:bbb", True, APPLIED)
RETIRED = ConfigurationMapping("legacy", "bpc_Old", "sha256:ccc", False, APPLIED)


async def _saved(
    factory: async_sessionmaker[AsyncSession], *mappings: ConfigurationMapping
) -> None:
    async with factory() as session:
        for mapping in mappings:
            await SqlaConfigurationMappings(session).save(mapping)
        await SqlaTransactionManager(session).commit()


async def test_mappings_read_back_exactly_and_list_in_name_order_with_inactive_ones(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await _saved(session_factory, B2C, RETIRED, B2B)

    async with session_factory() as session:
        mappings = SqlaConfigurationMappings(session)
        assert await mappings.get("b2c") == B2C
        assert await mappings.get("missing") is None
        assert await mappings.list() == [B2B, B2C, RETIRED]


async def test_saving_again_replaces_the_mapping(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await _saved(session_factory, B2C)
    reapplied = ConfigurationMapping(
        "b2c", "bpc_B2cNew", "sha256:ddd", False, APPLIED + timedelta(days=1)
    )

    await _saved(session_factory, reapplied)

    async with session_factory() as session:
        assert await SqlaConfigurationMappings(session).list() == [reapplied]


async def test_times_in_other_zones_come_back_as_the_same_instant_in_utc(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    paris = timezone(timedelta(hours=2))
    await _saved(
        session_factory,
        ConfigurationMapping("b2c", "bpc_1", "f", True, datetime(2025, 6, 1, 14, 0, tzinfo=paris)),
    )

    async with session_factory() as session:
        mapping = await SqlaConfigurationMappings(session).get("b2c")
    assert mapping is not None
    assert mapping.applied_at == datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    assert mapping.applied_at.tzinfo == UTC
