from __future__ import annotations

from typing import Protocol


class TransactionManager(Protocol):
    """Ends the unit of work a use case ran in; repositories never commit on their own."""

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...
