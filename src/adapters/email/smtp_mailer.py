"""Send through an SMTP server (aiosmtplib): implicit TLS, STARTTLS or plain, optional auth."""

from __future__ import annotations

import aiosmtplib

from adapters.email.mime import to_mime
from application.errors import MailDeliveryFailed
from application.ports.mailer import EmailMessage, Mailer


class SmtpMailer(Mailer):
    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        use_tls: bool = False,
        start_tls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        if use_tls and start_tls:
            raise ValueError("choose implicit TLS (use_tls) or STARTTLS (start_tls), not both")
        self._host, self._port, self._sender = host, port, sender
        self._username, self._password = username or None, password or None
        self._use_tls, self._start_tls, self._timeout = use_tls, start_tls, timeout

    async def send(self, message: EmailMessage) -> None:
        try:
            await aiosmtplib.send(
                to_mime(message, self._sender),
                hostname=self._host,
                port=self._port,
                username=self._username,
                password=self._password,
                use_tls=self._use_tls,
                start_tls=self._start_tls,
                timeout=self._timeout,
            )
        except (aiosmtplib.SMTPException, OSError) as error:
            raise MailDeliveryFailed(
                f"the mail server {self._host}:{self._port} did not accept the message: {error}"
            ) from error
