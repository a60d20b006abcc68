"""Follow Stripe's cursor pagination (``has_more`` + ``starting_after``) to the end."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

PAGE_SIZE = 100

ListPage = Callable[..., Awaitable[Any]]


async def every_page(fetch: ListPage, params: dict[str, Any]) -> list[Any]:
    """Every object of a list endpoint; ``fetch`` gets ``params`` plus the cursor."""
    found: list[Any] = []
    cursor: str | None = None
    while True:
        page_params = {**params, "limit": PAGE_SIZE}
        if cursor is not None:
            page_params["starting_after"] = cursor
        page = await fetch(page_params)
        data = list(page.data or [])
        found.extend(data)
        if not page.has_more or not data:
            return found
        cursor = data[-1]["id"]
