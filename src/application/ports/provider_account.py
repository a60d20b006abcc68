from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ProviderAccount:
    """What a cheap read told us about the billing provider account behind our key."""

    livemode: bool
    checked: tuple[str, ...]  # the reads that succeeded (each needs its own permission)


class ProviderAccountProbe(Protocol):
    """Reaches the billing provider with our key and reads what the service needs.

    Raises ``ProviderMisconfigured`` (key refused, a permission missing) or
    ``ProviderUnavailable`` (unreachable).
    """

    async def probe(self) -> ProviderAccount: ...
