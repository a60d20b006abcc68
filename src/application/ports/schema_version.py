from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class SchemaState(StrEnum):
    CURRENT = "current"  # the database is at the code's newest migration
    BEHIND = "behind"  # an older revision this code knows: run the migrations
    AHEAD = "ahead"  # a revision this code does not know (a newer release migrated it)
    MISSING = "missing"  # never migrated


@dataclass(frozen=True, slots=True)
class SchemaRevision:
    current: str | None
    expected: str
    state: SchemaState

    @property
    def usable(self) -> bool:
        """The code can run on it: up to date, or migrated ahead by a newer release
        (migrations only add, so the old code keeps working during a rolling deploy)."""
        return self.state in (SchemaState.CURRENT, SchemaState.AHEAD)


class SchemaVersion(Protocol):
    """Which migration the database is at, compared with the code's newest.

    Raises ``PersistenceUnavailable`` when the database cannot be reached.
    """

    async def read(self) -> SchemaRevision: ...
