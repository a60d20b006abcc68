"""Rule violations the domain reports; each message tells the caller what to change."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: a request the rules refuse. ``field`` names the offending input."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidReturnPath(DomainError):
    """The requested return path is not one the server may send the user back to."""


class UnsupportedLocale(DomainError):
    """The requested locale is not one Stripe's portal accepts."""


class FlowNotAllowed(DomainError):
    """The requested deep link is not possible for this customer or configuration."""
