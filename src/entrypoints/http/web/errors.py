"""Errors of the web page's session layer (mapped to HTTP in ``entrypoints.http.problems``)."""

from __future__ import annotations

from application.errors import ApplicationError


class CsrfRejected(ApplicationError):
    """A cookie-authenticated unsafe request without the session's CSRF token (or a
    sign-in that did not come from the page itself). Map it to a 403 problem."""


class SignedInAsSomeoneElse(ApplicationError):
    """A sign-in would silently replace the page session of another account (login CSRF:
    a link carrying someone else's token). Map it to a 409 problem naming both accounts;
    the page asks before switching and then resends with ``replace: true``."""

    def __init__(
        self, message: str, *, signed_in: tuple[str, str | None], requested: tuple[str, str | None]
    ) -> None:
        super().__init__(message)
        self.signed_in, self.requested = signed_in, requested
