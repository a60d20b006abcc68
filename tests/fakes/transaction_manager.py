"""The fake unit of work, and the two ways a fake store takes part in it.

``Transactional`` stores keep their writes pending until ``FakeTransactionManager.commit()``
(as a real unit of work would), so a test can tell "recorded and committed" from "recorded,
then rolled back". ``Snapshotted`` stores write at once and a rollback puts back the state of
the last commit (or of when the transaction manager was made).
"""

from __future__ import annotations

import copy
from typing import ClassVar

from application.ports.transaction_manager import TransactionManager


class Transactional:
    """A fake store a ``FakeTransactionManager`` begins, commits and rolls back."""

    def _begin(self) -> None: ...

    def _commit(self) -> None: ...

    def _rollback(self) -> None: ...


class Snapshotted(Transactional):
    """A rollback restores every attribute (but ``_untracked`` ones) as of the last commit."""

    _untracked: ClassVar[frozenset[str]] = frozenset()
    _saved: dict[str, object]

    def _state(self) -> dict[str, object]:
        skipped = self._untracked | {"_saved"}
        return {k: v for k, v in vars(self).items() if k not in skipped}

    def _begin(self) -> None:
        self._saved = copy.deepcopy(self._state())

    def _commit(self) -> None:
        self._begin()

    def _rollback(self) -> None:
        vars(self).update(copy.deepcopy(self._saved))


class FakeTransactionManager(TransactionManager):
    """Ends the unit of work of ``participants``; ``log`` holds "commit"/"rollback" in order."""

    def __init__(self, *participants: Transactional) -> None:
        self.participants = list(participants)
        self.log: list[str] = []
        for participant in self.participants:
            participant._begin()

    @property
    def commits(self) -> int:
        return self.log.count("commit")

    @property
    def rollbacks(self) -> int:
        return self.log.count("rollback")

    async def commit(self) -> None:
        self.log.append("commit")
        for participant in self.participants:
            participant._commit()

    async def rollback(self) -> None:
        self.log.append("rollback")
        for participant in self.participants:
            participant._rollback()
