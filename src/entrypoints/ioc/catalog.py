"""The portal configuration catalog, loaded once per process; and the clock."""

from __future__ import annotations

from dishka import AnyOf, Provider, Scope, provide

from adapters.catalog.toml_catalog import load_catalog
from adapters.clock import SystemClock
from application.ports.clock import Clock
from application.ports.portal_catalog import PortalCatalog
from domain.catalog import Catalog
from entrypoints.settings import Settings


class CatalogProvider(Provider):
    scope = Scope.APP

    @provide
    def catalog(self, settings: Settings) -> AnyOf[Catalog, PortalCatalog]:
        return load_catalog(settings.catalog_path)


class ClockProvider(Provider):
    scope = Scope.APP

    clock = provide(SystemClock, provides=Clock)
