"""Use case: reach everything the settings point at (``billing-portal config check``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from application.errors import ApplicationError
from application.ports.mail_transport_probe import MailTransportProbe
from application.ports.provider_account import ProviderAccountProbe
from application.ports.schema_version import SchemaVersion


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str  # database, stripe, mail
    ok: bool
    detail: str  # what was found, or what is wrong and what to do


class CheckConfiguration:
    """Checks the database (reachable, schema current), the billing provider (the key's
    mode matches the expected one, the reads the service needs are allowed) and mail.
    Each check runs even when another failed. The settings themselves were validated when
    they were read; ``expect_livemode`` is the mode they ask for."""

    def __init__(
        self,
        schema: SchemaVersion,
        provider: ProviderAccountProbe,
        mail: MailTransportProbe,
        *,
        expect_livemode: bool,
    ) -> None:
        self._schema, self._provider, self._mail = schema, provider, mail
        self._expect_livemode = expect_livemode

    async def execute(self) -> list[CheckResult]:
        return [
            await _check("database", self._database),
            await _check("stripe", self._stripe),
            await _check("mail", self._mail.probe),
        ]

    async def _database(self) -> str:
        revision = await self._schema.read()
        if not revision.usable:
            state = "never migrated" if revision.current is None else f"at {revision.current}"
            raise _Wrong(
                f"schema {state}, the code needs {revision.expected}: "
                "run `billing-portal db upgrade`"
            )
        return f"reachable, schema at {revision.current} ({revision.state.value})"

    async def _stripe(self) -> str:
        account = await self._provider.probe()
        mode = "live" if account.livemode else "test"
        if account.livemode != self._expect_livemode:
            expected = "live" if self._expect_livemode else "test"
            raise _Wrong(f"the key is a {mode}-mode key but {expected} mode is configured")
        return f"{mode} mode; allowed to read {', '.join(account.checked)}"


class _Wrong(ApplicationError):
    """A check reached its target and found it wrong."""


async def _check(name: str, run: Callable[[], Awaitable[str]]) -> CheckResult:
    try:
        return CheckResult(name, True, await run())
    except ApplicationError as error:
        return CheckResult(name, False, error.message)
