"""The state file: atomic writes, and a file lock so a CLI and a server can share it.

Writes go to a temporary file in the same directory, are fsynced, then ``os.replace``d
over the state file, so a crash never leaves half a file. :meth:`StateFile.locked` takes
an exclusive ``flock`` on ``<state>.lock`` (where the platform has one) for the length of
one operation; :meth:`StateFile.load_if_changed` lets a process pick up another process's
writes.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import msgspec

from .state import State

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock; one process at a time there
    fcntl = None  # type: ignore[assignment]


class StateFile:
    """Loads and saves one :class:`State` at ``path`` (None: memory only, for tests)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._seen: tuple[int, int, int] | None = None

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the inter-process lock for one operation."""
        if self.path is None or fcntl is None:
            yield
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _signature(self) -> tuple[int, int, int] | None:
        # os.replace gives every write a new inode, so this changes on every save.
        if self.path is None:
            return None
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return None
        return (info.st_ino, info.st_mtime_ns, info.st_size)

    def load(self) -> State:
        """The saved state, or an empty one when there is no file yet."""
        self._seen = self._signature()
        if self.path is None or self._seen is None:
            return State()
        return State.from_json(msgspec.json.decode(self.path.read_bytes()))

    def load_if_changed(self) -> State | None:
        """The saved state if another process rewrote the file since we last saw it."""
        if self.path is None or self._signature() == self._seen:
            return None
        return self.load()

    def save(self, state: State) -> None:
        """Write ``state`` atomically (temp file + fsync + os.replace)."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".state-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(msgspec.json.encode(state.to_json()))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise
        self._seen = self._signature()
