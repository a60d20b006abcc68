"""PORTAL_SESSION_SECRET, PORTAL_SESSION_TTL_MINUTES and PORTAL_SUPPORT_EMAIL."""

from __future__ import annotations

import pytest

from entrypoints.env import EnvReader
from entrypoints.http.web import WebSettings, read_web_settings

SECRET = "s" * 32


def _read(production: bool = False, **environ: str) -> tuple[WebSettings, list[str]]:
    env = EnvReader(environ)
    settings = read_web_settings(env, production, sandbox=not production)
    return settings, env.problems


def test_development_defaults_to_a_random_secret_per_process() -> None:
    first, problems = _read()
    second, _ = _read()

    assert problems == []
    assert first.uses_random_secret
    assert first.session_secret != second.session_secret
    assert first.session_ttl_seconds == 8 * 3600


def test_a_stripe_key_outside_production_still_requires_the_session_secret() -> None:
    env = EnvReader({})

    read_web_settings(env, False, sandbox=False)

    assert env.problems[0].startswith("PORTAL_SESSION_SECRET: is required when STRIPE_SECRET_KEY")


def test_production_requires_the_session_secret() -> None:
    _, problems = _read(production=True)

    assert problems == ["PORTAL_SESSION_SECRET: is required when PORTAL_ENV=production"]


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"PORTAL_SESSION_SECRET": "short"}, "PORTAL_SESSION_SECRET"),
        ({"PORTAL_SESSION_TTL_MINUTES": "1"}, "PORTAL_SESSION_TTL_MINUTES"),
        ({"PORTAL_SESSION_TTL_MINUTES": "soon"}, "PORTAL_SESSION_TTL_MINUTES"),
    ],
)
def test_a_bad_value_names_its_variable(environ: dict[str, str], variable: str) -> None:
    _, problems = _read(**environ)

    assert len(problems) == 1
    assert problems[0].startswith(f"{variable}: ")


def test_configured_values_are_used_and_the_secret_stays_out_of_repr() -> None:
    settings, problems = _read(
        True,
        PORTAL_SESSION_SECRET=SECRET,
        PORTAL_SESSION_TTL_MINUTES="30",
    )

    assert problems == []
    assert settings.session_ttl_seconds == 1800
    assert SECRET not in repr(settings)
