from __future__ import annotations

from dataclasses import dataclass, field

from application.ports.portal_catalog import PortalCatalog
from domain.capabilities import ConfigurationCapabilities


@dataclass
class FakePortalCatalog(PortalCatalog):
    declared: dict[str, ConfigurationCapabilities] = field(default_factory=dict)

    def capabilities(self, name: str) -> ConfigurationCapabilities | None:
        return self.declared.get(name)
