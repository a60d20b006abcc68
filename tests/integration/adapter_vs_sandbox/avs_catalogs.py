"""Catalog files applied with the real adapters: the sandbox and a migrated database."""

from __future__ import annotations

from pathlib import Path

from avs_support import write_catalog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.catalog.toml_catalog import load_catalog
from adapters.clock import SystemClock
from adapters.persistence import SqlaConfigurationMappings, SqlaTransactionManager
from adapters.stripe import StripeBillingProvider
from application.configs.apply_configurations import ApplyConfigurations, ApplyResult
from application.configs.plan_configurations import PlanConfigurations
from application.ports.configuration_mappings import ConfigurationMapping
from domain.catalog import Plan

Sessions = async_sessionmaker[AsyncSession]


class Catalogs:
    """Catalog files in a temporary directory, planned, applied and listed for real."""

    def __init__(
        self, directory: Path, provider: StripeBillingProvider, sessions: Sessions
    ) -> None:
        self.directory, self.provider, self.sessions = directory, provider, sessions
        self.count = 0

    def write(self, text: str) -> Path:
        self.count += 1
        return write_catalog(self.directory, text, f"catalog-{self.count}.toml")

    async def plan(self, path: Path) -> Plan:
        async with self.sessions() as session:
            mappings = SqlaConfigurationMappings(session)
            return await PlanConfigurations(load_catalog(path), self.provider, mappings).execute()

    async def apply(self, path: Path) -> ApplyResult:
        async with self.sessions() as session:
            return await ApplyConfigurations(
                load_catalog(path),
                self.provider,
                SqlaConfigurationMappings(session),
                SqlaTransactionManager(session),
                SystemClock(),
            ).execute()

    async def mappings(self) -> dict[str, ConfigurationMapping]:
        async with self.sessions() as session:
            return {m.name: m for m in await SqlaConfigurationMappings(session).list()}
