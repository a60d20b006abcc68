"""Store a record only if the ordering rule lets it win; refetch when the rule says so."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from domain.billing.version import SourceVersion, Verdict, refetched_version, should_apply


class Versioned(Protocol):
    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def id(self) -> str: ...

    @property
    def version(self) -> SourceVersion: ...


R = TypeVar("R", bound=Versioned)


@dataclass(frozen=True, slots=True)
class Reconciled(Generic[R]):
    """What the mirror held before, what it holds now, and whether this call changed it."""

    before: R | None
    now: R | None
    applied: bool


async def reconcile(
    existing: R | None,
    incoming: R,
    *,
    refetch: Callable[[], Awaitable[R | None]],
    save: Callable[[R], Awaitable[None]],
    always_refetch: bool,
) -> Reconciled[R]:
    """Apply, skip or refetch ``incoming`` against ``existing`` (read under a row lock).

    A refetched state is newer than everything seen, so it is stored; if the provider no
    longer knows the object, the incoming state is kept rather than lost.
    """
    seen = existing.version if existing is not None else None
    verdict = should_apply(seen, incoming.version, always_refetch=always_refetch)
    if verdict is Verdict.SKIP:
        return Reconciled(existing, existing, applied=False)
    if verdict is Verdict.REFETCH:
        fetched = await refetch()
        if fetched is not None:
            return await store_refetched(existing, fetched, incoming.version, save)
    await save(incoming)
    return Reconciled(existing, incoming, applied=True)


async def store_refetched(
    existing: R | None,
    fetched: R,
    trigger: SourceVersion,
    save: Callable[[R], Awaitable[None]],
) -> Reconciled[R]:
    """Store a state read from the provider because of the event ``trigger``, after
    ``existing`` was read under its lock: the read is newer than both, whatever the skew
    between the clocks, so it wins (see ``refetched_version``)."""
    seen = existing.version if existing is not None else None
    version = refetched_version(fetched.version.at, seen, trigger)
    stored = dataclasses.replace(fetched, version=version)
    await save(stored)
    return Reconciled(existing, stored, applied=True)
