"""The bare baseline: a Litestar route doing ``SELECT 1`` on a raw asyncpg pool.

Served by uvicorn with as many processes as ``billing-portal serve`` runs, and as it runs
them (``benchmarks/baseline_serve.py``):
``BENCH_BASELINE_DSN=postgresql://... python -m benchmarks.baseline_serve HOST PORT N``.
No DI, no ORM, no middleware: what a route that touches the database costs at least.
"""

from __future__ import annotations

import os
from typing import Any

import asyncpg
from litestar import Litestar, get

_pool: dict[str, Any] = {}


async def _open() -> None:
    _pool["pool"] = await asyncpg.create_pool(
        os.environ["BENCH_BASELINE_DSN"], min_size=5, max_size=15
    )


async def _close() -> None:
    await _pool["pool"].close()


@get("/select1")
async def select_one() -> dict[str, int]:
    async with _pool["pool"].acquire() as connection:
        return {"value": await connection.fetchval("SELECT 1")}


app = Litestar([select_one], on_startup=[_open], on_shutdown=[_close], logging_config=None)
