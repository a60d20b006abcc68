from __future__ import annotations

from application.errors import MailDeliveryFailed
from application.ports.mailer import EmailMessage, Mailer


class FakeMailer(Mailer):
    """``sent`` holds what was delivered; the first ``failures`` sends fail as SMTP 421."""

    def __init__(self, failures: int = 0) -> None:
        self.sent: list[EmailMessage] = []
        self.failures = failures

    async def send(self, message: EmailMessage) -> None:
        if self.failures:
            self.failures -= 1
            raise MailDeliveryFailed("421 try again later")
        self.sent.append(message)
