"""`configs list`: each catalog name with what our mapping table says was applied."""

from __future__ import annotations

from datetime import timedelta

from tests.fakes import (
    FakeConfigurationMappings,
    FakePortalConfigurationProvider,
)
from tests.unit.builders import NOW
from tests.unit.catalog.builders import b2b_data, catalog_of, payment_methods_only

from application.configs.list_configurations import ApplyStatus, ListConfigurations
from application.ports.configuration_mappings import ConfigurationMapping
from domain.catalog import fingerprint


async def test_each_name_shows_whether_it_is_applied_out_of_date_or_not_applied() -> None:
    edited = b2b_data()
    edited["business_profile"]["headline"] = "Changed since"
    catalog = catalog_of(b2b=b2b_data(), b2c=edited, pmo=payment_methods_only())
    old_b2c = fingerprint(catalog_of(b2c=b2b_data()).get("b2c"))
    earlier = NOW - timedelta(days=2)
    mappings = FakeConfigurationMappings(
        ConfigurationMapping("b2b", "bpc_1", fingerprint(catalog.get("b2b")), True, earlier),
        ConfigurationMapping("b2c", "bpc_2", old_b2c, True, earlier),
        ConfigurationMapping("legacy", "bpc_9", "f" * 64, False, earlier),
    )
    provider = FakePortalConfigurationProvider()
    listing = await ListConfigurations(catalog, mappings, provider).execute()
    assert [(r.name, r.status, r.provider_id) for r in listing.rows] == [
        ("b2b", ApplyStatus.APPLIED, "bpc_1"),
        ("b2c", ApplyStatus.OUT_OF_DATE, "bpc_2"),
        ("pmo", ApplyStatus.NOT_APPLIED, None),
        ("legacy", ApplyStatus.REMOVED, "bpc_9"),
    ]
    b2c = listing.rows[1]
    assert b2c.applied_fingerprint == old_b2c
    assert b2c.catalog_fingerprint == fingerprint(catalog.get("b2c"))
    assert b2c.applied_at == earlier
    assert listing.rows[2].applied_at is None
    assert provider.price_reads == 0  # prices by id only: nothing to ask the provider


async def test_a_deactivated_configuration_still_in_the_file_is_out_of_date() -> None:
    catalog = catalog_of(pmo=payment_methods_only())
    mappings = FakeConfigurationMappings(
        ConfigurationMapping("pmo", "bpc_1", fingerprint(catalog.get("pmo")), False, NOW)
    )
    provider = FakePortalConfigurationProvider()
    [row] = (await ListConfigurations(catalog, mappings, provider).execute()).rows
    assert (row.status, row.active) == (ApplyStatus.OUT_OF_DATE, False)
