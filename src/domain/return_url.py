"""Return URLs are built by the server: the app's base URL plus an allow-listed path."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from domain.errors import InvalidReturnPath

RETURN_MARKER = ("action", "portal_return")
_SAFE_PATH = re.compile(r"/[A-Za-z0-9/_\-.]*")
_SAFE_QUERY_TOKEN = re.compile(r"[A-Za-z0-9_\-.]{1,64}")
_RESERVED_KEYS = frozenset({"action", "multiple_subscriptions"})


@dataclass(frozen=True, slots=True)
class ReturnUrlPolicy:
    """Where the portal may send users back to: ``app_base_url`` + one of ``allowed_paths``."""

    app_base_url: str
    allowed_paths: tuple[str, ...] = ("/billing",)
    default_path: str = "/billing"


def redirect_url(app_base_url: str, redirect_to: str) -> str:
    """Where a policy redirect sends the user: app paths sit under the app base URL,
    exactly as return URLs do (a base URL with a path prefix keeps it); absolute URLs
    (the provider's hosted invoice page) stay as they are."""
    if "://" in redirect_to:
        return redirect_to
    return f"{app_base_url.rstrip('/')}/{redirect_to.lstrip('/')}"


def _reject(reason: str) -> InvalidReturnPath:
    return InvalidReturnPath(f"return_path {reason}", field="return_path")


def _parse_query(query: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for part in query.split("&") if query else []:
        key, _, value = part.partition("=")
        if not _SAFE_QUERY_TOKEN.fullmatch(key) or (
            value and not _SAFE_QUERY_TOKEN.fullmatch(value)
        ):
            raise _reject("query parameters may only use letters, digits, '-', '_' and '.'")
        if key in _RESERVED_KEYS:
            raise _reject(f"may not set the reserved parameter {key!r}")
        pairs.append((key, value))
    return pairs


def build_return_url(
    policy: ReturnUrlPolicy,
    requested_path: str | None,
    markers: Sequence[tuple[str, str]] = (),
) -> str:
    """The absolute return URL for ``requested_path`` with ``action=portal_return`` added.

    Only a relative path from the allow-list is accepted, optionally with a simple query
    string. Absolute URLs, ``//host``, backslashes, percent-encoding, control characters,
    ``..`` segments and anything outside the allow-list raise ``InvalidReturnPath``.
    """
    path = policy.default_path if requested_path is None else requested_path
    if len(path) > 512:
        raise _reject("is longer than 512 characters")
    if any(ord(ch) < 0x21 or ord(ch) > 0x7E for ch in path):
        raise _reject("contains whitespace, control or non-ASCII characters")
    if "\\" in path or "%" in path or "#" in path or "@" in path:
        raise _reject("may not contain backslashes, '%', '#' or '@'")
    route, _, query = path.partition("?")
    if not route.startswith("/") or route.startswith("//") or urlsplit(path).scheme:
        raise _reject("must be a path on this app starting with a single '/', not a URL")
    if not _SAFE_PATH.fullmatch(route) or any(seg in {".", ".."} for seg in route.split("/")):
        raise _reject("may only use letters, digits, '/', '-', '_' and '.' (no '..' segments)")
    if route not in policy.allowed_paths:
        allowed = ", ".join(policy.allowed_paths)
        raise _reject(f"{route!r} is not allowed; choose one of: {allowed}")
    params = [*_parse_query(query), RETURN_MARKER, *markers]
    return f"{policy.app_base_url.rstrip('/')}{route}?{urlencode(params)}"
