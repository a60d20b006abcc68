from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ConfigurationMapping:
    """Which provider configuration a catalog entry became, and what was applied."""

    name: str
    provider_id: str
    fingerprint: str
    active: bool
    applied_at: datetime


class ConfigurationMappings(Protocol):
    """Our table of catalog name -> provider configuration id."""

    async def get(self, name: str) -> ConfigurationMapping | None: ...

    async def list(self) -> list[ConfigurationMapping]: ...

    async def save(self, mapping: ConfigurationMapping) -> None: ...
