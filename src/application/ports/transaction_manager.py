from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol


class TransactionManager(Protocol):
    """Ends the unit of work a use case ran in; repositories never commit on their own."""

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        """A nested unit of work inside the current one (``async with``): its writes are
        kept (until the outer commit) when the block ends normally; when the block raises,
        they alone are undone and the exception propagates. Not supported on every
        database (``supports_savepoints``)."""
        ...

    @property
    def supports_savepoints(self) -> bool:
        """Whether ``savepoint`` keeps the outer unit of work whole on this database."""
        ...
