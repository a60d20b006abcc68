"""``billing-portal``: the operator and support command line."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from application.errors import ApplicationError
from domain.errors import DomainError
from entrypoints.cli.api_keys import api_keys
from entrypoints.cli.audit import audit
from entrypoints.cli.config_check import config
from entrypoints.cli.configs import configs
from entrypoints.cli.customers import customers
from entrypoints.cli.db import db
from entrypoints.cli.emails import emails
from entrypoints.cli.events import events
from entrypoints.cli.portal_url import portal_url
from entrypoints.cli.prune import prune
from entrypoints.cli.runtime import BAD_INPUT, RUNTIME_FAILURE, exit_code_for, state_of
from entrypoints.cli.serve import serve
from entrypoints.cli.status import status
from entrypoints.cli.sync import sync
from entrypoints.cli.worker import worker
from entrypoints.demo.command import demo, dev_token
from entrypoints.demo.sandbox_commands import sandbox
from entrypoints.env import SettingsError


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"error: {' '.join(message.split())}", err=True)
    sys.exit(code)


class PortalGroup(click.Group):
    """Every failure is one ``error: ...`` line on stderr and a non-zero exit, no traceback."""

    def main(  # type: ignore[override]
        self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any
    ) -> Any:
        extra["standalone_mode"] = False
        try:
            result = super().main(args, prog_name or "billing-portal", **extra)
        except click.UsageError as error:
            _fail(error.format_message(), BAD_INPUT)
        except click.ClickException as error:
            _fail(error.format_message(), error.exit_code)
        except click.Abort:
            _fail("aborted", RUNTIME_FAILURE)
        except SettingsError as error:
            _fail(f"invalid settings: {error}", BAD_INPUT)
        except (ApplicationError, DomainError) as error:
            _fail(error.message, exit_code_for(error))
        sys.exit(result if isinstance(result, int) else 0)


@click.group(cls=PortalGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Show the service's logs on stderr.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Self-service billing portal on Stripe Billing: serve the API and operate it.

    Settings come from the environment (PORTAL_*, STRIPE_*); see the README.
    """
    state_of(ctx).verbose = verbose


cli.add_command(serve)
cli.add_command(db)
cli.add_command(customers)
cli.add_command(api_keys)
cli.add_command(portal_url)
cli.add_command(configs)
cli.add_command(demo)
cli.add_command(dev_token)
cli.add_command(sandbox)
cli.add_command(worker)
cli.add_command(sync)
cli.add_command(events)
cli.add_command(emails)
cli.add_command(status)
cli.add_command(audit)
cli.add_command(config)
cli.add_command(prune)


def main() -> None:
    """The ``billing-portal`` console script."""
    cli.main()
