"""Which state wins: the ordering rule for mirrored records (pure).

Stripe delivers events at least once and in no guaranteed order, and its ``created``
timestamps have one-second resolution. Every mirrored record remembers the provider time it
reflects; this module decides whether an incoming state may replace it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Verdict(StrEnum):
    APPLY = "apply"  # store the incoming state
    SKIP = "skip"  # what we hold is as new or newer
    REFETCH = "refetch"  # cannot tell: read the object from the provider and store that


@dataclass(frozen=True, slots=True)
class SourceVersion:
    """The provider time a record reflects.

    ``event_id`` names the event whose payload was stored; ``None`` means the state was read
    from the provider (a refetch or a backfill) and ``at`` is the provider's clock at the read.
    """

    at: datetime
    event_id: str | None = None

    @property
    def second(self) -> int:
        return int(self.at.timestamp() // 1)

    @property
    def is_read(self) -> bool:
        return self.event_id is None


def should_apply(
    existing: SourceVersion | None, incoming: SourceVersion, *, always_refetch: bool = False
) -> Verdict:
    """Decide whether ``incoming`` may replace ``existing``.

    Events: the same event again is skipped; an older second is skipped; a newer second is
    applied (or refetched when ``always_refetch``); the same second from a different event is
    ambiguous, so the object is refetched. An object never seen is applied, never lost.
    Reads from the provider: applied when strictly newer than an event's second (a tie is
    skipped: any change after that event has an event of its own that will arrive), and
    against another read, when not older.
    """
    if incoming.is_read:
        return _read_verdict(existing, incoming)
    if existing is None:
        return Verdict.REFETCH if always_refetch else Verdict.APPLY
    if incoming.event_id == existing.event_id or incoming.second < existing.second:
        return Verdict.SKIP
    if incoming.second == existing.second:
        return Verdict.REFETCH
    return Verdict.REFETCH if always_refetch else Verdict.APPLY


def _read_verdict(existing: SourceVersion | None, incoming: SourceVersion) -> Verdict:
    if existing is None or incoming.second > existing.second:
        return Verdict.APPLY
    if incoming.second < existing.second:
        return Verdict.SKIP
    return Verdict.APPLY if existing.is_read else Verdict.SKIP


def refetched_version(
    read_at: datetime, existing: SourceVersion | None, incoming: SourceVersion
) -> SourceVersion:
    """The version of a state read because of ``incoming``, after ``existing`` was seen.

    The read happened after both were known, so it is at least as new as either, whatever
    the skew between our clock and the provider's.
    """
    moments = [read_at, incoming.at] + ([existing.at] if existing else [])
    return SourceVersion(at=max(moments), event_id=None)
