"""The CLI through click's runner, on the session's Postgres, the billing provider faked."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from cli_harness import CATALOG, Run
from click.testing import CliRunner, Result
from tests.fakes import (
    SEED_PRICES,
    FakeBillingEventSource,
    FakeBillingProvider,
    FakePortalConfigurationProvider,
    FakeStripeFamily,
)

from entrypoints.cli.main import cli
from entrypoints.cli.runtime import CliState


@pytest.fixture
def billing() -> FakeBillingProvider:
    return FakeBillingProvider()


@pytest.fixture
def configurations() -> FakePortalConfigurationProvider:
    """The seed's plans; ids of its own, as the mappings of other tests share the database."""
    return FakePortalConfigurationProvider(SEED_PRICES, id_prefix=f"bpc_{uuid.uuid4().hex[:8]}_")


@pytest.fixture
def event_source() -> FakeBillingEventSource:
    return FakeBillingEventSource()


@pytest.fixture
def run_cli(
    postgres_url: str,
    billing: FakeBillingProvider,
    configurations: FakePortalConfigurationProvider,
    event_source: FakeBillingEventSource,
    tmp_path: Path,
) -> Run:
    """``run_cli("customers", "show", "u1", env={...})`` -> click's Result."""

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        environment = {
            "PORTAL_ENV": "development",
            "PORTAL_DATABASE_URL": postgres_url,
            "STRIPE_SECRET_KEY": "sk_test_not_used_the_provider_is_faked",
            "PORTAL_JWT_SECRET": "cli-tests-hs256-secret-of-at-least-32-bytes",
            "PORTAL_SESSION_SECRET": "cli-tests-page-session-secret-of-32-bytes",
            "PORTAL_CATALOG_PATH": str(CATALOG),
            "PORTAL_APP_BASE_URL": "https://app.example.test",
            "PORTAL_DATA_DIR": str(tmp_path / "data"),
            **(env or {}),
        }
        overrides = (FakeStripeFamily(billing, configurations, event_source),)
        state = CliState(override_providers=overrides)
        return CliRunner().invoke(cli, list(args), env=environment, obj=state)

    return run


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The app and the CLI configure structlog and the root logger for the process; put
    back what the other suites expect when each test ends."""
    saved, handlers, level = structlog.get_config(), logging.root.handlers[:], logging.root.level
    yield
    structlog.configure(**saved)
    logging.root.handlers[:], logging.root.level = handlers, level
