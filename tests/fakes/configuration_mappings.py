from __future__ import annotations

from application.ports.configuration_mappings import ConfigurationMapping, ConfigurationMappings

from .transaction_manager import Transactional


class FakeConfigurationMappings(ConfigurationMappings, Transactional):
    """``committed`` by catalog name; saved rows stay pending until the transaction commits."""

    def __init__(self, *mappings: ConfigurationMapping) -> None:
        self.committed: dict[str, ConfigurationMapping] = {m.name: m for m in mappings}
        self._pending: dict[str, ConfigurationMapping] = {}

    def _view(self) -> dict[str, ConfigurationMapping]:
        return {**self.committed, **self._pending}

    async def get(self, name: str) -> ConfigurationMapping | None:
        return self._view().get(name)

    async def list(self) -> list[ConfigurationMapping]:
        return sorted(self._view().values(), key=lambda m: m.name)

    async def save(self, mapping: ConfigurationMapping) -> None:
        self._pending[mapping.name] = mapping

    def _commit(self) -> None:
        self.committed.update(self._pending)
        self._pending.clear()

    def _rollback(self) -> None:
        self._pending.clear()
