"""Errors of the sync use cases and their adapters (no HTTP status: the edges map them)."""

from __future__ import annotations

from application.errors import ApplicationError


class InvalidWebhook(ApplicationError):
    """A webhook whose signature, timestamp or body we refuse; ``message`` says why."""


class InvalidEvent(ApplicationError):
    """An event whose envelope lacks what every event has (id, type, created)."""


class EventNotFound(ApplicationError):
    """No event with that id in the inbox."""


class MailDeliveryFailed(ApplicationError):
    """The mail server refused or could not be reached; sending later may work."""


class UnknownEmailTemplate(ApplicationError):
    """The outbox names a template the renderer does not have."""
