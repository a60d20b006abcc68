"""SqlaConfigurationMappings on PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import cast

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters.persistence import (
    SqlaConfigurationMappings,
    SqlaCustomerDirectory,
    SqlaTransactionManager,
)
from adapters.persistence.driver_reads import PooledUnit
from application.ports.configuration_mappings import ConfigurationMapping
from domain.customer import Customer

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


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_a_pooled_units_link_read_brings_every_mapping_along_for_this_unit_only(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    paris = timezone(timedelta(hours=2))
    await _saved(session_factory, B2C, RETIRED)
    async with session_factory() as session:
        await SqlaCustomerDirectory(session).save(Customer("u_1", "cus_1", "b2c", None))
        await SqlaTransactionManager(session).commit()

    unit = PooledUnit(engine)
    on_unit = cast(AsyncSession, unit)
    try:
        assert await SqlaCustomerDirectory(on_unit).get("u_1") is not None
        assert ("configuration_mappings", "") in unit.read_ahead
        mappings = SqlaConfigurationMappings(on_unit)
        assert await mappings.get("legacy") == RETIRED  # inactive ones too, read ahead
        assert ("configuration_mappings", "") not in unit.read_ahead  # taken once
        assert await mappings.get("b2c") == B2C  # then from the database

        await SqlaCustomerDirectory(on_unit).get("u_1")
        assert await mappings.get("missing") is None  # not among those read ahead: none
    finally:
        await unit.release()

    changed = ConfigurationMapping(
        "b2c", "bpc_New", "sha256:eee", False, datetime(2025, 6, 1, tzinfo=paris)
    )
    await _saved(session_factory, changed)
    unit = PooledUnit(engine)
    try:
        await SqlaCustomerDirectory(cast(AsyncSession, unit)).get("u_1")
        got = await SqlaConfigurationMappings(cast(AsyncSession, unit)).get("b2c")
    finally:
        await unit.release()
    assert got == changed  # the next unit reads it again: nothing kept across requests
    assert got is not None
    assert got.applied_at.tzinfo == UTC
    assert engine.pool.checkedout() == 0
