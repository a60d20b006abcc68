"""The HTTP app on the session's Postgres, with only the Stripe adapters faked."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import structlog
from litestar.testing import AsyncTestClient
from portal_harness import Portal, PortalFactory, portal_settings
from tests.fakes import (
    SEED_PRICES,
    FakeBillingProvider,
    FakePortalConfigurationProvider,
    FakeStripeFamily,
)

from entrypoints.http.app import create_app


@pytest.fixture
def billing() -> FakeBillingProvider:
    return FakeBillingProvider()


@pytest.fixture
def configurations() -> FakePortalConfigurationProvider:
    """The seed's plans; ids of its own, as the mappings of other tests share the database."""
    return FakePortalConfigurationProvider(SEED_PRICES, id_prefix=f"bpc_{uuid.uuid4().hex[:8]}_")


@pytest.fixture
def make_portal(
    postgres_url: str, billing: FakeBillingProvider, configurations: FakePortalConfigurationProvider
) -> PortalFactory:
    """``async with make_portal(**env_overrides) as portal``; the catalog is applied."""

    @asynccontextmanager
    async def factory(
        *, database_url: str | None = None, apply: bool = True, **overrides: Any
    ) -> AsyncIterator[Portal]:
        settings = portal_settings(database_url or postgres_url, **overrides)
        fakes = FakeStripeFamily(billing, configurations)
        app = create_app(settings, fakes)
        async with AsyncTestClient(app, base_url="http://portal.test") as client:
            portal = Portal(client, settings, billing, configurations)
            if apply:
                await portal.apply_catalog()
            yield portal

    return factory


@pytest.fixture
async def portal(make_portal: PortalFactory) -> AsyncIterator[Portal]:
    async with make_portal() as portal:
        yield portal


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The app and the CLI configure structlog and the root logger for the process; put
    back what the other suites expect when each test ends."""
    saved, handlers, level = structlog.get_config(), logging.root.handlers[:], logging.root.level
    yield
    structlog.configure(**saved)
    logging.root.handlers[:], logging.root.level = handlers, level
