"""Billing-page sessions in ``page_sessions``, each call its own short transaction."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence.errors import translate_database_errors
from adapters.persistence.tables import page_sessions as table
from application.ports.page_sessions import PageSession, PageSessionStore


class SqlaPageSessions(PageSessionStore):
    """``PageSessionStore`` on the engine (never the request's session: a sign-out must
    commit whatever the request does, and the cookie is read before any unit of work).

    Rows are keyed by the SHA-256 of the session id, so the table alone cannot be turned
    into cookies. Expired rows are deleted at most once per ``prune_every_seconds``, when a
    session opens. Database failures raise ``PersistenceUnavailable``.
    """

    def __init__(self, engine: AsyncEngine, *, prune_every_seconds: int = 600) -> None:
        self._engine = engine
        self._prune_every = timedelta(seconds=prune_every_seconds)
        self._next_prune: datetime | None = None

    async def open(self, session: PageSession, *, now: datetime) -> None:
        row = {
            "id_hash": _hash(session.session_id),
            "user_id": session.user_id,
            "email": session.email,
            "expires_at": session.expires_at,
        }
        with translate_database_errors("opening a page session"):
            async with self._engine.begin() as connection:
                await connection.execute(insert(table).values(**row))
                if self._next_prune is None or now >= self._next_prune:
                    self._next_prune = now + self._prune_every
                    await connection.execute(delete(table).where(table.c.expires_at <= now))

    async def find(self, session_id: str, *, now: datetime) -> PageSession | None:
        query = select(table).where(table.c.id_hash == _hash(session_id), table.c.expires_at > now)
        with translate_database_errors("reading a page session"):
            async with self._engine.connect() as connection:
                row = (await connection.execute(query)).one_or_none()
        if row is None:
            return None
        return PageSession(session_id, row.user_id, row.expires_at, row.email)

    async def close(self, session_id: str) -> None:
        statement = delete(table).where(table.c.id_hash == _hash(session_id))
        with translate_database_errors("closing a page session"):
            async with self._engine.begin() as connection:
                await connection.execute(statement)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()
