"""Errors of the web page's session layer (mapped to HTTP in ``entrypoints.http.problems``)."""

from __future__ import annotations

from application.errors import ApplicationError


class CsrfRejected(ApplicationError):
    """A cookie-authenticated unsafe request without the session's CSRF token (or a
    sign-in that did not come from the page itself). Map it to a 403 problem."""
