"""Errors in Stripe's wire shape: ``{"error": {"type", "code", "message", "param"}}``.

Every failure the sandbox reports to a client is a :class:`SandboxError`; the HTTP layer
turns it into the status and body Stripe would send, and the portal pages can show
``message`` as is.
"""

from __future__ import annotations

from typing import Any


class SandboxError(Exception):
    """A Stripe-style API error with its HTTP status."""

    status = 400
    type = "invalid_request_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.param = param
        self.extra = extra or {}

    def to_body(self) -> dict[str, Any]:
        """The JSON body Stripe sends for this error."""
        error: dict[str, Any] = {
            "type": self.type,
            "code": self.code,
            "message": self.message,
            "param": self.param,
        }
        error.update(self.extra)
        return {"error": error}


class InvalidRequest(SandboxError):
    """400: a missing or invalid parameter, or an action the object's state forbids."""


class ResourceMissing(SandboxError):
    """404: no object with that id."""

    status = 404

    def __init__(self, kind: str, object_id: str, param: str = "id") -> None:
        super().__init__(f"No such {kind}: '{object_id}'", code="resource_missing", param=param)


class UnknownUrl(SandboxError):
    """404: no such API endpoint."""

    status = 404

    def __init__(self, method: str, path: str) -> None:
        super().__init__(
            f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
            "or we can help at https://support.stripe.com/."
        )


class CardDeclined(SandboxError):
    """402: the card was declined (at attach time or when charged)."""

    status = 402
    type = "card_error"

    def __init__(
        self, message: str, *, decline_code: str = "generic_decline", code: str = "card_declined"
    ) -> None:
        super().__init__(message, code=code, param=None, extra={"decline_code": decline_code})


class AuthenticationFailed(SandboxError):
    """401: no or malformed secret key."""

    status = 401

    def __init__(self, message: str) -> None:
        super().__init__(message)


class IdempotencyMismatch(SandboxError):
    """400: an Idempotency-Key reused with different parameters."""

    type = "idempotency_error"

    def __init__(self, key: str) -> None:
        super().__init__(
            "Keys for idempotent requests can only be used with the same parameters they "
            f"were first used with. Try using a key other than '{key}' if you meant to "
            "execute a different request."
        )


class RateLimited(SandboxError):
    """429: too many requests per second (only when the settings set a limit)."""

    status = 429

    def __init__(self) -> None:
        super().__init__(
            "Too many requests hit the API too quickly. We recommend an exponential "
            "backoff of your requests.",
            code="rate_limit",
        )
