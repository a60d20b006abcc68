"""Production refuses SQLite, an http:// app base URL and the sandbox unless told explicitly."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from litestar.testing import TestClient
from structlog.testing import capture_logs
from tests.unit.entrypoints.test_settings import PRODUCTION, problems_for

from entrypoints.http.app import create_app
from entrypoints.settings import load_settings

SQLITE = "sqlite+aiosqlite:////var/lib/portal/portal.db"


@pytest.mark.parametrize(
    ("overrides", "variable", "opt_in"),
    [
        ({"PORTAL_DATABASE_URL": SQLITE}, "PORTAL_DATABASE_URL", "PORTAL_ALLOW_SQLITE_IN_PRODUCTION"),
        (
            {"PORTAL_APP_BASE_URL": "http://app.example.com"},
            "PORTAL_APP_BASE_URL",
            "PORTAL_ALLOW_HTTP_IN_PRODUCTION",
        ),
        ({"STRIPE_SECRET_KEY": ""}, "STRIPE_SECRET_KEY", "PORTAL_ALLOW_SANDBOX_IN_PRODUCTION"),
        (
            {"STRIPE_API_BASE": "http://127.0.0.1:12111"},
            "STRIPE_API_BASE",
            "PORTAL_ALLOW_SANDBOX_IN_PRODUCTION",
        ),
    ],
)  # fmt: skip
def test_each_is_refused_naming_the_setting_and_the_opt_in_then_allowed_by_it(
    overrides: dict[str, str], variable: str, opt_in: str
) -> None:
    refused = problems_for({**PRODUCTION, **overrides})
    allowed = load_settings({**PRODUCTION, **overrides, opt_in: "1"})

    assert f"{variable}: " in refused
    assert f"{opt_in}=1" in refused
    assert allowed.production_opt_ins == (opt_in,)


def test_the_sandbox_opt_in_runs_production_against_the_local_sandbox() -> None:
    env = {**PRODUCTION, "STRIPE_SECRET_KEY": "", "PORTAL_ALLOW_SANDBOX_IN_PRODUCTION": "1"}

    settings = load_settings(env)

    assert settings.stripe_sandbox
    assert settings.stripe.api_base == "http://127.0.0.1:12111"


def test_a_production_with_postgres_https_and_a_stripe_key_needs_no_opt_in() -> None:
    assert load_settings(PRODUCTION).production_opt_ins == ()


def test_development_needs_no_opt_in_for_the_demo_defaults() -> None:
    settings = load_settings({})

    assert settings.database_url.startswith("sqlite")
    assert settings.production_opt_ins == ()


def test_an_opt_in_must_say_1_or_0() -> None:
    env = {**PRODUCTION, "PORTAL_DATABASE_URL": SQLITE, "PORTAL_ALLOW_SQLITE_IN_PRODUCTION": "sure"}

    assert "PORTAL_ALLOW_SQLITE_IN_PRODUCTION: 'sure' must be 1 (allow) or 0" in problems_for(env)


@pytest.fixture
def _restore_logging() -> Iterator[None]:
    """create_app configures structlog and the root logger for the process; put them back."""
    saved, handlers, level = structlog.get_config(), logging.root.handlers[:], logging.root.level
    yield
    structlog.configure(**saved)
    logging.root.handlers[:], logging.root.level = handlers, level


@pytest.mark.usefixtures("_restore_logging")
def test_the_app_says_at_start_up_which_opt_in_it_relies_on(tmp_path: Path) -> None:
    env = {
        **PRODUCTION,
        "PORTAL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'portal.db'}",
        "PORTAL_ALLOW_SQLITE_IN_PRODUCTION": "1",
    }
    app = create_app(load_settings(env))

    with capture_logs() as logs, TestClient(app):
        pass

    lines = [e["message"] for e in logs if e["event"] == "settings.production_opt_in"]
    assert lines == [
        "PORTAL_ALLOW_SQLITE_IN_PRODUCTION=1: production runs on SQLite "
        "(one process; no concurrent API processes or workers)"
    ]
    assert [e["log_level"] for e in logs if e["event"] == "settings.production_opt_in"] == [
        "warning"
    ]
