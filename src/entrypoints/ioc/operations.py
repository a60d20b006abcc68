"""Operations: readiness, backlog, status, audit, outbox, checks and pruning; and the
metered decorators of other families' ports."""

from __future__ import annotations

import stripe
from dishka import Provider, Scope, decorate, provide
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.email.transport_probe import FolderTransportProbe, SmtpTransportProbe
from adapters.metrics.metered_audit import MeteredCustomerLinkAudit, MeteredPortalAccessAudit
from adapters.persistence.access_audit import SqlaPortalAccessHistory
from adapters.persistence.queue_monitor import SqlaQueueMonitor
from adapters.persistence.retention import SqlaDataRetention
from adapters.persistence.schema_version import AlembicSchemaVersion
from adapters.stripe.account_probe import StripeAccountProbe
from application.configs.plan_configurations import PlanConfigurations
from application.operations.check_configuration import CheckConfiguration
from application.operations.check_readiness import CheckReadiness
from application.operations.list_emails import ListEmails
from application.operations.list_portal_access import ListPortalAccess
from application.operations.prune_data import PruneData
from application.operations.read_backlog import ReadBacklog
from application.operations.retry_emails import RetryEmails
from application.operations.show_status import ShowStatus
from application.ports.access_audit import PortalAccessAudit
from application.ports.clock import Clock
from application.ports.customer_link_audit import CustomerLinkAudit
from application.ports.data_retention import DataRetention
from application.ports.mail_transport_probe import MailTransportProbe
from application.ports.portal_access_history import PortalAccessHistory
from application.ports.provider_account import ProviderAccountProbe
from application.ports.queue_monitor import QueueMonitor
from application.ports.schema_version import SchemaVersion
from entrypoints.settings import Settings
from entrypoints.sync_settings import MailSettings, WebhookSettings


def stripe_mode(settings: Settings) -> str:
    """``sandbox`` (the embedded stand-in), ``live`` or ``test`` (the key's mode)."""
    if settings.stripe_sandbox:
        return "sandbox"
    return "live" if settings.stripe.api_key.startswith(("sk_live_", "rk_live_")) else "test"


class OperationsProvider(Provider):
    scope = Scope.REQUEST

    queues = provide(SqlaQueueMonitor, provides=QueueMonitor)
    history = provide(SqlaPortalAccessHistory, provides=PortalAccessHistory)
    retention = provide(SqlaDataRetention, provides=DataRetention)
    check_readiness = provide(CheckReadiness)
    read_backlog = provide(ReadBacklog)
    list_emails = provide(ListEmails)
    retry_emails = provide(RetryEmails)
    list_portal_access = provide(ListPortalAccess)
    prune_data = provide(PruneData)

    @provide(scope=Scope.APP)
    def schema(self, engine: AsyncEngine) -> SchemaVersion:
        return AlembicSchemaVersion(engine)

    @provide
    def show_status(
        self,
        schema: SchemaVersion,
        queues: QueueMonitor,
        plan: PlanConfigurations,
        clock: Clock,
        settings: Settings,
    ) -> ShowStatus:
        return ShowStatus(schema, queues, plan, clock, mode=stripe_mode(settings))

    @provide
    def account_probe(
        self, client: stripe.StripeClient, settings: Settings
    ) -> ProviderAccountProbe:
        return StripeAccountProbe(client, settings.stripe.api_key)

    @provide
    def mail_probe(self, mail: MailSettings) -> MailTransportProbe:
        if mail.backend != "smtp" or mail.smtp_host is None:
            return FolderTransportProbe(mail.directory)
        return SmtpTransportProbe(
            host=mail.smtp_host,
            port=mail.smtp_port,
            username=mail.smtp_username,
            password=mail.smtp_password,
            use_tls=mail.smtp_security == "tls",
            start_tls=mail.smtp_security == "starttls",
            timeout=mail.smtp_timeout_seconds,
        )

    @provide
    def check_configuration(
        self,
        schema: SchemaVersion,
        provider: ProviderAccountProbe,
        mail: MailTransportProbe,
        webhooks: WebhookSettings,
    ) -> CheckConfiguration:
        return CheckConfiguration(schema, provider, mail, expect_livemode=webhooks.livemode)

    @decorate
    def metered_audit(self, audit: PortalAccessAudit) -> PortalAccessAudit:
        return MeteredPortalAccessAudit(audit)

    @decorate
    def metered_link_audit(self, audit: CustomerLinkAudit) -> CustomerLinkAudit:
        return MeteredCustomerLinkAudit(audit)
