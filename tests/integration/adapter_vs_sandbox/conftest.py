"""A sandbox server per test (state in a temporary file) and the project's adapter on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from avs_catalogs import Catalogs, Sessions
from avs_support import by_user, settings_for

from adapters.stripe import StripeBillingProvider, open_stripe_client
from stripe_sandbox import SandboxSettings
from stripe_sandbox.seed import DemoRecord, seed_demo
from stripe_sandbox.testing import RunningSandbox, running_sandbox


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[RunningSandbox]:
    settings = SandboxSettings(state_path=tmp_path / "sandbox-state.json")
    with running_sandbox(settings) as running:
        yield running


@pytest.fixture
def demo(sandbox: RunningSandbox) -> dict[str, DemoRecord]:
    """The seeded demo customers, by user id."""
    return by_user(seed_demo(sandbox.store))


@pytest.fixture
async def provider(sandbox: RunningSandbox) -> AsyncIterator[StripeBillingProvider]:
    async with open_stripe_client(settings_for(sandbox.url)) as client:
        yield StripeBillingProvider(client)


@pytest.fixture
def catalogs(
    tmp_path: Path,
    provider: StripeBillingProvider,
    session_factory: Sessions,
    demo: dict[str, DemoRecord],
) -> Catalogs:
    """Catalogs applied to the seeded sandbox, mappings in the (Postgres, SQLite) database."""
    return Catalogs(tmp_path, provider, session_factory)
