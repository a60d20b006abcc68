"""The page's session store as the container builds it, fetched on first use.

``CookieSessions`` is built with the app, before the container may open its engine (that
needs the event loop); each call asks the container, which builds the store once.
"""

from __future__ import annotations

from datetime import datetime

from dishka import AsyncContainer

from application.ports.page_sessions import PageSession, PageSessionStore


class ContainerPageSessions(PageSessionStore):
    def __init__(self, container: AsyncContainer) -> None:
        self._container = container

    async def _store(self) -> PageSessionStore:
        store: PageSessionStore = await self._container.get(PageSessionStore)
        return store

    async def open(self, session: PageSession, *, now: datetime) -> None:
        await (await self._store()).open(session, now=now)

    async def find(self, session_id: str, *, now: datetime) -> PageSession | None:
        return await (await self._store()).find(session_id, now=now)

    async def close(self, session_id: str) -> None:
        await (await self._store()).close(session_id)
