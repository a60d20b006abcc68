"""A product as the mirror holds it: what plans are called when a price has no nickname."""

from __future__ import annotations

from dataclasses import dataclass

from domain.billing.version import SourceVersion


@dataclass(frozen=True, slots=True)
class MirroredProduct:
    id: str
    version: SourceVersion
    name: str | None = None
    active: bool = True
    deleted: bool = False
