"""Liveness (no I/O) and readiness (the database answers)."""

from __future__ import annotations

from dishka.integrations.litestar import FromDishka, inject
from litestar import get
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence import check_database
from entrypoints.http.schemas import Health


@get("/healthz", summary="The process is alive", sync_to_thread=False)
def healthz() -> Health:
    return Health("ok")


@get("/readyz", summary="The database is reachable (503 problem otherwise)")
@inject
async def readyz(engine: FromDishka[AsyncEngine]) -> Health:
    await check_database(engine)
    return Health("ready")
