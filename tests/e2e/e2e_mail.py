"""The demo's mail folder (one ``.eml`` file per message), read like a customer's inbox."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from e2e_stack import wait_until

MAIL_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Mail:
    path: Path
    recipient: str
    subject: str
    text: str


def _read(path: Path) -> Mail | None:
    try:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    except OSError:
        return None
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain",))
    return Mail(
        path=path,
        recipient=str(message["To"] or ""),
        subject=str(message["Subject"] or ""),
        text=body.get_content() if body is not None else "",
    )


class Mailbox:
    """What arrived for one recipient since the mailbox was opened."""

    def __init__(self, directory: Path, recipient: str) -> None:
        self.directory, self.recipient = directory, recipient
        self._seen = set(self._files())

    def _files(self) -> list[Path]:
        return sorted(self.directory.glob("*.eml")) if self.directory.is_dir() else []

    def new_messages(self) -> list[Mail]:
        found = (_read(path) for path in self._files() if path not in self._seen)
        return [m for m in found if m is not None and self.recipient in m.recipient]

    def wait_for(self, subject_starts_with: str) -> Mail:
        def arrived() -> Mail | None:
            return next(
                (m for m in self.new_messages() if m.subject.startswith(subject_starts_with)),
                None,
            )

        try:
            return wait_until(
                arrived,
                timeout=MAIL_TIMEOUT_SECONDS,
                what=f"an email {subject_starts_with!r} to {self.recipient}",
            )
        except AssertionError as error:
            got = [(m.recipient, m.subject) for m in self.new_messages()]
            raise AssertionError(f"{error}; new mail for them: {got}") from None
