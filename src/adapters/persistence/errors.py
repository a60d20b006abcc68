"""Turning database driver failures into the application's own errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from application.errors import PersistenceUnavailable

_MISSING_TABLE = re.compile(r"no such table|relation \".*\" does not exist")
# asyncpg's own errors: from the few statements sent on the raw driver (event_intake.py).
_UNAVAILABLE = (
    DBAPIError, PoolTimeoutError, OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError
)  # fmt: skip
_URL_PASSWORD = re.compile(r"(\w[\w+.-]*://[^:/@\s]*):[^@\s]*@")


def redact_passwords(text: str) -> str:
    """``scheme://user:secret@host`` becomes ``scheme://user:***@host`` wherever it occurs."""
    return _URL_PASSWORD.sub(r"\1:***@", text)


@contextmanager
def translate_database_errors(action: str) -> Iterator[None]:
    """Re-raise connection, driver and pool failures as ``PersistenceUnavailable``.

    ``IntegrityError`` passes through untouched: the repository that knows which rule was
    broken turns it into a meaningful error.
    """
    try:
        yield
    except IntegrityError:
        raise
    except _UNAVAILABLE as error:
        detail = describe(error)
        if _MISSING_TABLE.search(detail):
            detail += " (the schema is missing or out of date: run `billing-portal db upgrade`)"
        raise PersistenceUnavailable(f"database failure while {action}: {detail}") from error


def describe(error: BaseException) -> str:
    """One line naming the failure, without the SQL statement, its parameters or any
    password a driver quotes in a connection URL."""
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    first_line = redact_passwords((str(cause).strip().splitlines() or [""])[0])
    name = type(cause).__name__
    return f"{name}: {first_line}" if first_line else name
