from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class PageSession:
    """A signed-in billing-page session: who, and until when at the latest."""

    session_id: str
    user_id: str
    expires_at: datetime
    email: str | None = None


class PageSessionStore(Protocol):
    """Where page sessions live, shared by every API process, so that signing out in one
    ends the session in all of them and a replayed cookie finds nothing.

    Each call is its own committed transaction (the page's session is checked before a
    request's unit of work starts, and a sign-out must stand whatever the request does).
    """

    async def open(self, session: PageSession, *, now: datetime) -> None:
        """Keep ``session`` until it is closed or expires (and forget expired ones)."""
        ...

    async def find(self, session_id: str, *, now: datetime) -> PageSession | None:
        """The open session with this id, or None when it was closed or has expired."""
        ...

    async def close(self, session_id: str) -> None:
        """End the session at once (signing out); closing an unknown id does nothing."""
        ...
