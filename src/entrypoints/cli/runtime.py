"""Running one use case per command through the same container the HTTP app uses."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

import click
from dishka import AsyncContainer, Provider

from application.errors import (
    ApiKeyNotFound,
    CatalogInvalid,
    EventNotFound,
    InvalidRequest,
    NoBillingAccount,
    UserNotFound,
)
from application.operations.errors import EmailNotFound, RetentionTooShort
from entrypoints.env import SettingsError
from entrypoints.ioc import create_container
from entrypoints.logging import configure_logging
from entrypoints.settings import Settings, load_settings

T = TypeVar("T")
R = TypeVar("R")

BAD_INPUT = 2
RUNTIME_FAILURE = 1
# Errors the operator fixes by changing what they typed (or the files they pointed us to).
_BAD_INPUT_ERRORS = (
    InvalidRequest,
    UserNotFound,
    NoBillingAccount,
    CatalogInvalid,
    EventNotFound,
    ApiKeyNotFound,
    EmailNotFound,
    RetentionTooShort,
)


@dataclass
class CliState:
    """Per-invocation state; tests pass ``override_providers`` through ``obj=``."""

    override_providers: tuple[Provider, ...] = ()
    verbose: bool = False
    _settings: Settings | None = field(default=None, repr=False)

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
            level = self._settings.log_level if self.verbose else "ERROR"
            configure_logging("console", level)
        return self._settings


def exit_code_for(error: Exception) -> int:
    if isinstance(error, (SettingsError, *_BAD_INPUT_ERRORS)):
        return BAD_INPUT
    return RUNTIME_FAILURE


def state_of(ctx: click.Context) -> CliState:
    return ctx.ensure_object(CliState)


def run_use_case(ctx: click.Context, use_case: type[T], call: Callable[[T], Awaitable[R]]) -> R:
    """Build the container, open one REQUEST scope, run ``call`` on the use case, close."""

    async def in_request(container: AsyncContainer) -> R:
        async with container() as request:
            return await call(await request.get(use_case))

    return run_with_container(ctx, in_request)


def run_with_container(
    ctx: click.Context, call: Callable[[AsyncContainer], Awaitable[R]], *, fast_loop: bool = False
) -> R:
    """Build the container, run ``call`` with it (it opens its own scopes), close it.

    ``fast_loop``: on uvloop (as ``serve`` runs under uvicorn) where it is installed, for
    the long-running commands whose time is mostly socket I/O (``worker``, ``sync``): the
    standard loop's socket writes were ~15% of a worker's CPU (docs/PERFORMANCE.md)."""
    state = state_of(ctx)
    settings = state.settings()

    async def run() -> R:
        container = create_container(settings, *state.override_providers)
        try:
            return await call(container)
        finally:
            await container.close()

    with asyncio.Runner(loop_factory=_fast_loop_factory() if fast_loop else None) as runner:
        return runner.run(run())


def _fast_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop  # optional: litestar[standard] brings it on Linux and macOS
    except ImportError:
        return None
    return uvloop.new_event_loop
