"""The CLI through click's runner, on the session's Postgres, the billing provider faked."""

from __future__ import annotations

import pytest
from cli_fakes import FakeBilling, FakeBillingFamily
from cli_harness import CATALOG, Run
from click.testing import CliRunner, Result

from entrypoints.cli.main import cli
from entrypoints.cli.runtime import CliState


@pytest.fixture
def billing() -> FakeBilling:
    return FakeBilling()


@pytest.fixture
def run_cli(postgres_url: str, billing: FakeBilling) -> Run:
    """``run_cli("customers", "show", "u1", env={...})`` -> click's Result."""

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        environment = {
            "PORTAL_ENV": "development",
            "PORTAL_DATABASE_URL": postgres_url,
            "STRIPE_SECRET_KEY": "sk_test_not_used_the_provider_is_faked",
            "PORTAL_CATALOG_PATH": str(CATALOG),
            "PORTAL_APP_BASE_URL": "https://app.example.test",
            **(env or {}),
        }
        state = CliState(override_providers=(FakeBillingFamily(billing),))
        return CliRunner().invoke(cli, list(args), env=environment, obj=state)

    return run
