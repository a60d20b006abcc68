"""``billing-portal configs plan|apply|list``: the portal configuration catalog."""

from __future__ import annotations

import click


@click.group()
def configs() -> None:
    """Portal configurations: the catalog file against the billing provider."""
