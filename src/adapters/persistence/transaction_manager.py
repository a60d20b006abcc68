"""Ending the request's unit of work."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.persistence.errors import describe
from application.errors import PersistenceUnavailable
from application.ports.transaction_manager import TransactionManager


class SqlaTransactionManager(TransactionManager):
    """Commits or rolls back the request-scoped session that every repository shares.

    Any SQLAlchemy or connection failure becomes ``PersistenceUnavailable``; a failed
    commit leaves nothing half-written (the database rolls the transaction back).
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def commit(self) -> None:
        try:
            await self._session.commit()
        except (SQLAlchemyError, OSError, TimeoutError) as error:
            raise PersistenceUnavailable(
                f"database failure while committing: {describe(error)}"
            ) from error

    async def rollback(self) -> None:
        try:
            await self._session.rollback()
        except (SQLAlchemyError, OSError, TimeoutError) as error:
            raise PersistenceUnavailable(
                f"database failure while rolling back: {describe(error)}"
            ) from error
