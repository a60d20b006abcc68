"""The Stripe SDK's private names that the lean paths (``lean_post``, ``lean_get``) use.

They are not the SDK's public API, so a release within the pinned major version may move
or rename one. Here they are imported in one place: if any is missing, ``AVAILABLE`` is
False, ``LeanPortalSessions.of`` and ``LeanGets.of`` give ``None``, and every call goes
through the SDK's public path as before, instead of the service failing to start. The
lean paths' tests compare their requests, answers and errors with the SDK's, so a change
of behaviour behind an unchanged name fails there.
"""

from __future__ import annotations

try:
    from stripe._api_requestor import _APIRequestor
    from stripe._api_requestor import _maybe_emit_stripe_notice as maybe_emit_stripe_notice
    from stripe._encode import _api_encode as api_encode
    from stripe._http_client import HTTPClient, HTTPXClient
    from stripe._request_options import extract_options_from_dict, merge_options
    from stripe._util import _convert_to_stripe_object as convert_to_stripe_object
    from stripe._util import validate_path
except ImportError:  # pragma: no cover - only with an SDK release that moved them
    AVAILABLE = False
else:
    AVAILABLE = all(
        callable(getattr(owner, name, None))
        for owner, name in (
            (_APIRequestor, "request_headers"),
            (_APIRequestor, "_interpret_response"),
            (HTTPXClient, "_handle_request_error"),
            (HTTPClient, "_sleep_time_seconds"),
            (HTTPClient, "sleep_async"),
        )
    )

__all__ = [
    "AVAILABLE",
    "api_encode",
    "convert_to_stripe_object",
    "extract_options_from_dict",
    "maybe_emit_stripe_notice",
    "merge_options",
    "validate_path",
]
