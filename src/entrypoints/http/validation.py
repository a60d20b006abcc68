"""Readable messages for request bodies Litestar could not decode or validate."""

from __future__ import annotations

from typing import Any

from litestar.exceptions import HTTPException

from domain.portal_flow import FlowType

_HINTS = {"flow.type": f"expected one of {', '.join(FlowType)}"}


def describe_validation_error(error: HTTPException) -> tuple[str, list[dict[str, str]]]:
    """A one-line detail and a list of ``{"field", "message"}`` a developer can act on."""
    items: list[Any] = error.extra if isinstance(error.extra, list) else []
    errors: list[dict[str, str]] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        key = str(item.get("key") or "body")
        field = "body" if key == "data" else key
        message = str(item.get("message", "is invalid"))
        if hint := _HINTS.get(field):
            message = f"{message}; {hint}"
        errors.append({"field": field, "message": message})
    if errors:
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    elif "malformed" in str(error.detail).lower():
        detail = f"the request body is not valid JSON ({error.detail})"
    else:
        detail = str(error.detail)
    return detail, errors
