"""Follow Stripe's cursor pagination (``has_more`` + ``starting_after``) to the end."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
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


RawGet = Callable[..., Awaitable[Any]]  # StripeClient.raw_request_async("get", path, **params)


async def raw_pages(
    get: RawGet, path: str, params: dict[str, Any]
) -> AsyncIterator[tuple[list[dict[str, Any]], Mapping[str, str]]]:
    """Each page of a list endpoint as Stripe's JSON (no ``StripeObject``s built) with its
    response headers, ``limit=100``, ``starting_after`` the last id until ``has_more`` is
    false. ``get`` is the SDK's raw request, so auth, the pinned API version, retries,
    timeouts and error translation are the client's own."""
    cursor: str | None = None
    while True:
        page_params = {**params, "limit": PAGE_SIZE}
        if cursor is not None:
            page_params["starting_after"] = cursor
        response = await get("get", path, **page_params)
        body = response.data
        data = list(body.get("data") or []) if isinstance(body, dict) else []
        yield data, response.headers
        if not (isinstance(body, dict) and body.get("has_more")) or not data:
            return
        cursor = str(data[-1]["id"])
