from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from application.ports.page_sessions import PageSession, PageSessionStore


@dataclass
class FakePageSessions(PageSessionStore):
    """Page sessions in a dict, as the one database every API process shares keeps them."""

    sessions: dict[str, PageSession] = field(default_factory=dict)

    async def open(self, session: PageSession, *, now: datetime) -> None:
        self.sessions[session.session_id] = session

    async def find(self, session_id: str, *, now: datetime) -> PageSession | None:
        found = self.sessions.get(session_id)
        return found if found is not None and found.expires_at > now else None

    async def close(self, session_id: str) -> None:
        self.sessions.pop(session_id, None)
