"""Stripe reads stamped with Stripe's own clock, and lists streamed a page at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from adapters.stripe.pagination import PAGE_SIZE, ListPage
from domain.billing.version import SourceVersion


def read_version(obj: Any) -> SourceVersion:
    """The version of a state Stripe just returned: its ``Date`` header (whole seconds,
    rounded down, so a read never looks newer than it is). Our clock only stands in when a
    response carries no usable ``Date`` (a stand-in for Stripe that omits it)."""
    response = getattr(obj, "last_response", None)
    return version_of_headers(getattr(response, "headers", None) or {})


def version_of_headers(headers: Any) -> SourceVersion:
    """``read_version`` of a raw response's headers."""
    date = next((v for k, v in dict(headers).items() if k.lower() == "date"), None)
    try:
        at = parsedate_to_datetime(date).astimezone(UTC) if date else None
    except (TypeError, ValueError):
        at = None
    return SourceVersion(at=at or datetime.now(UTC), event_id=None)


async def each_object(
    fetch: ListPage, params: dict[str, Any]
) -> AsyncIterator[tuple[dict[str, Any], SourceVersion]]:
    """Every object of a list endpoint as plain JSON with the version of its page, one
    page in memory at a time (``starting_after`` the last id until ``has_more`` is false)."""
    cursor: str | None = None
    while True:
        page_params = {**params, "limit": PAGE_SIZE}
        if cursor is not None:
            page_params["starting_after"] = cursor
        page = await fetch(page_params)
        version = read_version(page)
        data = list(page.data or [])
        for obj in data:
            yield obj.to_dict(for_json=True), version
        if not page.has_more or not data:
            return
        cursor = data[-1]["id"]
