"""``config check``'s mail probe: reach the SMTP server (or the mail folder), send nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path

import aiosmtplib

from application.errors import MailDeliveryFailed
from application.ports.mail_transport_probe import MailTransportProbe


class SmtpTransportProbe(MailTransportProbe):
    """Connects (implicit TLS or STARTTLS as configured), says EHLO, logs in when
    credentials are set, and quits."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str | None,
        password: str | None,
        use_tls: bool,
        start_tls: bool,
        timeout: float,
    ) -> None:
        self._host, self._port = host, port
        self._username, self._password = username, password
        self._use_tls, self._start_tls, self._timeout = use_tls, start_tls, timeout

    async def probe(self) -> str:
        client = aiosmtplib.SMTP(
            hostname=self._host,
            port=self._port,
            use_tls=self._use_tls,
            start_tls=self._start_tls,
            timeout=self._timeout,
        )
        try:
            await client.connect()
            if self._username and self._password:
                await client.login(self._username, self._password)
            await client.quit()
        except (aiosmtplib.SMTPException, OSError) as error:
            raise MailDeliveryFailed(
                f"the mail server {self._host}:{self._port} is not usable: {error}"
            ) from error
        login = " and accepted our login" if self._username else ""
        return f"SMTP server {self._host}:{self._port} answered{login}"


class FolderTransportProbe(MailTransportProbe):
    """The file backend: the folder exists (or can be created) and takes a file."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory

    async def probe(self) -> str:
        try:
            self._directory.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self._directory):
                pass
        except OSError as error:
            raise MailDeliveryFailed(
                f"the mail folder {self._directory} is not writable: {error.strerror}"
            ) from error
        return f"writing .eml files to {self._directory} (PORTAL_MAIL_BACKEND=file)"
