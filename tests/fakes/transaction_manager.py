"""The fake unit of work, and the two ways a fake store takes part in it.

``Transactional`` stores keep their writes pending until ``FakeTransactionManager.commit()``
(as a real unit of work would), so a test can tell "recorded and committed" from "recorded,
then rolled back". ``Snapshotted`` stores write at once and a rollback puts back the state of
the last commit (or of when the transaction manager was made).
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import AsyncIterator
from typing import ClassVar

from application.errors import PersistenceUnavailable
from application.ports.transaction_manager import TransactionManager


class Transactional:
    """A fake store a ``FakeTransactionManager`` begins, commits and rolls back.

    A savepoint copies every attribute (but ``_untracked`` ones) and rolling back to it
    puts them back: pending writes and committed state alike."""

    _untracked: ClassVar[frozenset[str]] = frozenset()

    def _begin(self) -> None: ...

    def _commit(self) -> None: ...

    def _rollback(self) -> None: ...

    def _savepoint(self) -> dict[str, object]:
        skipped = self._untracked | {"_saved"}
        return copy.deepcopy({k: v for k, v in vars(self).items() if k not in skipped})

    def _rollback_to(self, savepoint: dict[str, object]) -> None:
        vars(self).update(copy.deepcopy(savepoint))


class Snapshotted(Transactional):
    """A rollback restores every attribute (but ``_untracked`` ones) as of the last commit."""

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
    """Ends the unit of work of ``participants``; ``log`` holds "commit"/"rollback" in order.

    ``fail_commits`` makes later commits fail; ``savepoints = False`` plays a database
    without savepoints (SQLite)."""

    def __init__(self, *participants: Transactional, savepoints: bool = True) -> None:
        self.participants = list(participants)
        self.log: list[str] = []
        self.savepoints = savepoints
        self._failing: list[bool] = []  # per coming commit: False succeeds, True fails
        self._applied = False
        for participant in self.participants:
            participant._begin()

    def fail_commits(self, *, after: int = 0, times: int = 1, applied: bool = False) -> None:
        """The ``times`` commits that follow the next ``after`` fail with
        ``PersistenceUnavailable``: rolled back, or, if ``applied``, committed although
        the answer was lost (a connection that dropped during ``COMMIT``)."""
        self._failing = [False] * after + [True] * times
        self._applied = applied

    @property
    def commits(self) -> int:
        return self.log.count("commit")

    @property
    def rollbacks(self) -> int:
        return self.log.count("rollback")

    async def commit(self) -> None:
        if self._failing and self._failing.pop(0):
            self.log.append("failed commit")
            for participant in self.participants:
                if self._applied:
                    participant._commit()
                else:
                    participant._rollback()
            raise PersistenceUnavailable("database failure while committing: (fake) deadlock")
        self.log.append("commit")
        for participant in self.participants:
            participant._commit()

    async def rollback(self) -> None:
        self.log.append("rollback")
        for participant in self.participants:
            participant._rollback()

    @property
    def supports_savepoints(self) -> bool:
        return self.savepoints

    @contextlib.asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        assert self.savepoints, "the code asked a database without savepoints for one"
        saved = [(p, p._savepoint()) for p in self.participants]
        try:
            yield
        except BaseException:
            for participant, state in saved:
                participant._rollback_to(state)
            raise
