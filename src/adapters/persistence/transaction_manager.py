"""Ending the request's unit of work."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.persistence.errors import describe
from application.errors import PersistenceUnavailable
from application.ports.transaction_manager import TransactionManager

_FAILURES = (SQLAlchemyError, OSError, TimeoutError)


class SqlaTransactionManager(TransactionManager):
    """Commits or rolls back the request-scoped session that every repository shares.

    Any SQLAlchemy or connection failure becomes ``PersistenceUnavailable``; a failed
    commit leaves nothing half-written (the database rolls the transaction back).
    Savepoints are PostgreSQL's ``SAVEPOINT``: SQLite in the driver's legacy transaction
    mode (see ``engine.py``) would make a first savepoint the transaction itself, so that
    releasing it commits.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def commit(self) -> None:
        try:
            await self._session.commit()
        except _FAILURES as error:
            raise PersistenceUnavailable(
                f"database failure while committing: {describe(error)}"
            ) from error

    async def rollback(self) -> None:
        try:
            await self._session.rollback()
        except _FAILURES as error:
            raise PersistenceUnavailable(
                f"database failure while rolling back: {describe(error)}"
            ) from error

    @property
    def supports_savepoints(self) -> bool:
        return self._session.get_bind().dialect.name != "sqlite"

    @contextlib.asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        try:
            nested = await self._session.begin_nested()
        except _FAILURES as error:
            raise PersistenceUnavailable(
                f"database failure while opening a savepoint: {describe(error)}"
            ) from error
        try:
            yield
        except BaseException:
            try:
                await nested.rollback()
            except _FAILURES as error:
                raise PersistenceUnavailable(
                    f"database failure while rolling back to a savepoint: {describe(error)}"
                ) from error
            raise
        try:
            await nested.commit()
        except _FAILURES as error:
            raise PersistenceUnavailable(
                f"database failure while releasing a savepoint: {describe(error)}"
            ) from error
