"""``billing-portal config check``: every setting, then everything the settings point at."""

from __future__ import annotations

import click

from application.operations.check_configuration import CheckConfiguration, CheckResult
from entrypoints.cli.runtime import BAD_INPUT, RUNTIME_FAILURE, run_use_case, state_of
from entrypoints.env import SettingsError


@click.group()
def config() -> None:
    """The service's configuration (environment variables; see the README)."""


@config.command()
@click.pass_context
def check(ctx: click.Context) -> int:
    """Validate every setting, then reach the database, Stripe and mail; one line each.

    Exit code 0 when all is well, 2 when a setting is invalid, 1 when something
    the settings point at is unreachable or wrong.
    """
    try:
        settings = state_of(ctx).settings()
    except SettingsError as error:
        for problem in error.problems:
            click.echo(f"settings: FAIL {problem}")
        return BAD_INPUT
    click.echo(f"settings: ok ({settings.environment}, database {settings.safe_database_url})")
    results: list[CheckResult] = run_use_case(ctx, CheckConfiguration, lambda uc: uc.execute())
    for result in results:
        click.echo(f"{result.name}: {'ok' if result.ok else 'FAIL'} {result.detail}")
    return 0 if all(result.ok for result in results) else RUNTIME_FAILURE
