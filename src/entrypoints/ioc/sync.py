"""The sync family: inbox, mirror, outbox and audit on the request's session; webhook
verification, mail and its templates once per process."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from adapters.email.file_mailer import FileMailer
from adapters.email.renderer import JinjaEmailRenderer
from adapters.email.smtp_mailer import SmtpMailer
from adapters.persistence import (
    SqlaBillingAuditLog,
    SqlaBillingMirror,
    SqlaEventInbox,
    SqlaOutbox,
)
from adapters.webhooks.signature import StripeSignatureVerifier
from application.ports.billing_audit_log import BillingAuditLog
from application.ports.billing_mirror import BillingMirror
from application.ports.email_renderer import EmailRenderer
from application.ports.event_inbox import EventInbox
from application.ports.mailer import Mailer
from application.ports.outbox import Outbox
from entrypoints.sync_settings import MailSettings, WebhookSettings


class SyncPersistenceProvider(Provider):
    """Request scope: every repository shares the unit of work's ``AsyncSession``."""

    scope = Scope.REQUEST

    inbox = provide(SqlaEventInbox, provides=EventInbox)
    mirror = provide(SqlaBillingMirror, provides=BillingMirror)
    outbox = provide(SqlaOutbox, provides=Outbox)
    audit = provide(SqlaBillingAuditLog, provides=BillingAuditLog)


class WebhookProvider(Provider):
    scope = Scope.APP

    @provide
    def verifier(self, settings: WebhookSettings) -> StripeSignatureVerifier:
        return StripeSignatureVerifier(
            settings.secrets, tolerance_seconds=settings.tolerance_seconds
        )


class MailProvider(Provider):
    """``PORTAL_MAIL_BACKEND``: an SMTP server, or one .eml file per message."""

    scope = Scope.APP

    @provide
    def mailer(self, settings: MailSettings) -> Mailer:
        if settings.backend == "smtp":
            assert settings.smtp_host is not None, "validated when the settings were read"
            return SmtpMailer(
                host=settings.smtp_host,
                port=settings.smtp_port,
                sender=settings.sender,
                username=settings.smtp_username,
                password=settings.smtp_password,
                use_tls=settings.smtp_security == "tls",
                start_tls=settings.smtp_security == "starttls",
                timeout=settings.smtp_timeout_seconds,
            )
        return FileMailer(settings.directory, settings.sender)

    @provide
    def renderer(self, settings: MailSettings) -> EmailRenderer:
        return JinjaEmailRenderer(support_address=settings.support_address)
