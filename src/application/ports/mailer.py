from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class EmailMessage:
    """One email, already rendered; ``headers`` include ``Message-ID``."""

    to: str
    subject: str
    text: str
    html: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


class Mailer(Protocol):
    """Delivers one email. Raises ``MailDeliveryFailed`` (never a library error)."""

    async def send(self, message: EmailMessage) -> None: ...
