"""Write each message as an ``.eml`` file (the embedded default: a local mail folder)."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from adapters.email.mime import to_bytes
from application.errors import MailDeliveryFailed
from application.ports.mailer import EmailMessage, Mailer

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class FileMailer(Mailer):
    """One file per message, named after its Message-ID, written atomically (a reader never
    sees half a message) and flushed to disk before ``send`` returns; sending the same
    message again replaces the same file.

    The file is written on the event loop's own thread: a small local write costs less
    than handing it to a thread and waking the loop when it is done (the worker's only
    other task is its lease heartbeat, which a write of a few KB never delays)."""

    def __init__(self, directory: Path, sender: str) -> None:
        self._directory, self._sender = Path(directory), sender
        self._directory_made = False

    async def send(self, message: EmailMessage) -> None:
        message_id, data = to_bytes(message, self._sender)
        name = _UNSAFE.sub("_", message_id.strip("<>")) + ".eml"
        try:
            self._write(name, data)
        except OSError as error:
            self._directory_made = False  # removed meanwhile? made again on the next send
            raise MailDeliveryFailed(f"cannot write mail to {self._directory}: {error}") from error

    def _write(self, name: str, data: bytes) -> None:
        if not self._directory_made:
            self._directory.mkdir(parents=True, exist_ok=True)
            self._directory_made = True
        fd, temporary = tempfile.mkstemp(dir=self._directory, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, os.path.join(self._directory, name))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
