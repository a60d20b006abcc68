"""Catalog validation problems: each names the file, the configuration and the field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.errors import DomainError


@dataclass(frozen=True, slots=True)
class CatalogProblem:
    """One broken rule. ``configuration`` is None for a problem with the file as a whole."""

    source: str
    configuration: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"[configurations.{self.configuration}] " if self.configuration else ""
        location = f"{where}{self.field}" if self.field else where.strip()
        return f"{self.source}: {location}: {self.message}"


class CatalogError(DomainError):
    """The catalog breaks one or more rules; ``problems`` lists all of them, in file order."""

    def __init__(self, problems: Sequence[CatalogProblem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        heading = f"{count} problem{'s' if count != 1 else ''} in the portal configuration catalog"
        body = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"{heading}:\n{body}" if count != 1 else str(self.problems[0]))
