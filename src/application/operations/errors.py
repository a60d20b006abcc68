"""Errors of the operator use cases (mapped to HTTP problems and CLI exit codes at the edges)."""

from __future__ import annotations

from application.errors import ApplicationError
from application.ports.schema_version import SchemaRevision, SchemaState


class SchemaNotCurrent(ApplicationError):
    """The database schema is older than the code (or was never migrated)."""

    def __init__(self, revision: SchemaRevision) -> None:
        at = (
            "was never migrated"
            if revision.state is SchemaState.MISSING
            else (f"is at revision {revision.current}")
        )
        super().__init__(
            f"the database schema {at}; this code needs {revision.expected}: "
            "run `billing-portal db upgrade`"
        )
        self.revision = revision


class EmailNotFound(ApplicationError):
    """No outbox message has that key."""


class RetentionTooShort(ApplicationError):
    """A retention age is below the minimum it may have (the inbox keeps Stripe's window)."""
