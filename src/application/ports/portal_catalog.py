from __future__ import annotations

from typing import Protocol

from domain.capabilities import ConfigurationCapabilities


class PortalCatalog(Protocol):
    """The declared portal configurations, by name (loaded once from the catalog file)."""

    def capabilities(self, name: str) -> ConfigurationCapabilities | None:
        """What configuration ``name`` lets a customer do, or None if it is not declared."""
        ...
