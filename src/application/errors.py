"""The application's own errors. They carry no HTTP status: the edges map them."""

from __future__ import annotations


class ApplicationError(Exception):
    """Base class; ``message`` is written for the developer or operator who must act."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAuthenticated(ApplicationError):
    """The caller did not prove who the user is."""


class NoBillingAccount(ApplicationError):
    """The user has no Stripe customer linked in our database."""


class BillingAccountGone(ApplicationError):
    """Our database links a Stripe customer that the provider no longer knows."""


class UserNotFound(ApplicationError):
    """No user with that id is known to this service (operator commands)."""


class InvalidRequest(ApplicationError):
    """The input breaks a rule; ``field`` names it."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class LinkConflict(InvalidRequest):
    """The link asked for collides with another: the Stripe customer belongs to another
    user, or the user is already linked to another customer (relink it explicitly)."""


class ApiKeyNotFound(ApplicationError):
    """No server API key with that id exists (operator commands)."""


class RateLimited(ApplicationError):
    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class ConfigurationNotApplied(ApplicationError):
    """A catalog configuration the policy chose has no provider id in our database yet."""

    def __init__(self, name: str, *, declared: bool = True) -> None:
        if declared:
            message = (
                f"portal configuration {name!r} has not been applied to the billing provider; "
                "run `billing-portal configs apply`"
            )
        else:
            message = (
                f"portal configuration {name!r} is chosen by the portal policy but not declared "
                "in the catalog file; add it there, then run `billing-portal configs apply`"
            )
        super().__init__(message)
        self.name = name


class ProviderUnavailable(ApplicationError):
    """The billing provider could not be reached or is failing; retrying later may work.
    ``retry_after_seconds``: when to try again, if the provider said or implied it (it
    is rate limiting us)."""

    def __init__(self, message: str, *, retry_after_seconds: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class ProviderMisconfigured(ApplicationError):
    """Our credentials or account settings are wrong (bad key, missing permission)."""


class ProviderRejected(ApplicationError):
    """The provider refused a request as invalid; ``param`` names its field when known."""

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


class CatalogInvalid(ApplicationError):
    """The portal configuration catalog file breaks a rule; the message names where."""


class PersistenceUnavailable(ApplicationError):
    """The database could not be reached or refused the transaction."""


# Sync: webhooks, events and email.
class InvalidWebhook(ApplicationError):
    """A webhook whose signature, timestamp or body we refuse; ``message`` says why."""


class InvalidEvent(ApplicationError):
    """An event whose envelope lacks what every event has (id, type, created)."""


class EventNotFound(ApplicationError):
    """No event with that id in the inbox."""


class MailDeliveryFailed(ApplicationError):
    """The mail server refused or could not be reached; sending later may work."""


class EmailNotRenderable(ApplicationError):
    """An outbox message its template cannot render (missing facts): retrying cannot help."""


class UnknownEmailTemplate(EmailNotRenderable):
    """The outbox names a template the renderer does not have."""
