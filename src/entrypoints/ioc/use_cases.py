"""Use cases, one per request scope, built from the ports the other providers give."""

from __future__ import annotations

from typing import cast

from dishka import AnyOf, Provider, Scope, provide
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from adapters.metrics.metered_audit import MeteredPortalAccessAudit
from adapters.persistence import (
    SqlaBillingMirror,
    SqlaConfigurationMappings,
    SqlaCustomerDirectory,
    SqlaPortalAccessAudit,
    SqlaRateLimiter,
)
from adapters.persistence.access_audit import AuditRowBatches
from adapters.persistence.driver_reads import PooledUnit
from application.api_keys.authenticate_api_key import AuthenticateApiKey
from application.api_keys.create_api_key import CreateApiKey
from application.api_keys.list_api_keys import ListApiKeys
from application.api_keys.revoke_api_key import RevokeApiKey
from application.billing_page.billing_summary import BillingSummary
from application.billing_page.list_invoices import ListInvoices
from application.configs.apply_configurations import ApplyConfigurations
from application.configs.list_configurations import ListConfigurations
from application.configs.plan_configurations import PlanConfigurations
from application.customers.change_segment import ChangeSegment
from application.customers.link_customer import LinkCustomer
from application.customers.list_customers import ListCustomers
from application.customers.list_link_conflicts import ListLinkConflicts
from application.customers.read_billing_status import ReadBillingStatus
from application.customers.relink_customer import RelinkCustomer
from application.customers.show_customer import ShowCustomer
from application.customers.unlink_customer import UnlinkCustomer
from application.open_portal import OpenBillingPortal, PortalAccessSettings
from application.ports.billing_event_translator import BillingEventTranslator
from application.ports.billing_mirror import LinkedBillingPages
from application.ports.billing_provider import BillingProvider
from application.ports.clock import Clock
from application.ports.customer_directory import CustomerDirectory
from application.ports.customer_link_audit import CustomerLinkAudit
from application.ports.email_renderer import EmailRenderer
from application.ports.event_intake import EventIntake
from application.ports.mailer import Mailer
from application.ports.outbox import Outbox
from application.ports.portal_catalog import PortalCatalog
from application.ports.subscription_source import SubscriptionSource
from application.ports.transaction_manager import TransactionManager
from application.subscription_reader import SubscriptionReader
from application.sync.backfill_mirror import BackfillMirror
from application.sync.inspect_events import InspectEvents
from application.sync.process_event import ProcessEvent
from application.sync.process_inbox_batch import ProcessInboxBatch
from application.sync.receive_event import ReceiveEvent
from application.sync.recover_events import RecoverEvents
from application.sync.send_outbox_batch import SendOutboxBatch
from application.sync.settings import SyncSettings
from domain.portal_policy import PortalPolicy
from entrypoints.logging import log_info
from entrypoints.sync_settings import MailSettings, WebhookSettings


class PooledPortals:
    """Per request, an ``OpenBillingPortal`` whose rate-limit hit, reads and audit row run
    on one ``PooledUnit`` (PostgreSQL on asyncpg: ``available``) instead of a request
    container's ``AsyncSession``: the same repositories, audit metering, limiter buckets
    and app-scoped parts as the container's. The caller releases the unit when done.

    Three round trips: the rate-limit hit carrying the read of the user's link, the
    customer's complete subscriptions and every configuration mapping; the Stripe call;
    the audit row, written with the other sessions' rows of the moment
    (``AuditRowBatches``)."""

    def __init__(
        self,
        engine: AsyncEngine,
        provider: BillingProvider,
        catalog: PortalCatalog,
        clock: Clock,
        limiter: SqlaRateLimiter,
        settings: PortalAccessSettings,
        audit_rows: AuditRowBatches,
    ) -> None:
        self._engine, self._provider, self._catalog = engine, provider, catalog
        self._clock, self._limiter, self._settings = clock, limiter, settings
        self._audit_rows = audit_rows
        self.available = engine.dialect.driver == "asyncpg"

    def __call__(self, user_id: str | None = None) -> tuple[OpenBillingPortal, PooledUnit]:
        """``user_id``: the user whose request it is; the rate-limit hit then carries the
        read of the user's link (one round trip fewer)."""
        unit = PooledUnit(self._engine)
        session = cast(AsyncSession, unit)  # see PooledUnit: the repositories' hot paths
        if user_id is not None:
            SqlaCustomerDirectory.carry_link_read(unit, user_id)
        use_case = OpenBillingPortal(
            customers=SqlaCustomerDirectory(session),
            subscriptions=SubscriptionReader(SqlaBillingMirror(session), self._provider),
            provider=self._provider,
            mappings=SqlaConfigurationMappings(session),
            catalog=self._catalog,
            audit=MeteredPortalAccessAudit(
                SqlaPortalAccessAudit(session, log_info=log_info, batches=self._audit_rows)
            ),
            limiter=self._limiter.on(unit),
            clock=self._clock,
            transaction=unit,
            settings=self._settings,
        )
        return use_case, unit


class UseCaseProvider(Provider):
    scope = Scope.REQUEST

    # The portal rules read subscriptions from the mirror first, Stripe when it has none.
    subscriptions = provide(
        SubscriptionReader, provides=AnyOf[SubscriptionReader, SubscriptionSource]
    )
    show_customer = provide(ShowCustomer)
    plan_configurations = provide(PlanConfigurations)
    apply_configurations = provide(ApplyConfigurations)
    list_configurations = provide(ListConfigurations)
    process_event = provide(ProcessEvent)
    process_inbox_batch = provide(ProcessInboxBatch)
    recover_events = provide(RecoverEvents)
    backfill_mirror = provide(BackfillMirror)
    inspect_events = provide(InspectEvents)
    list_invoices = provide(ListInvoices)

    open_portal = provide(OpenBillingPortal)
    pooled_portals = provide(PooledPortals, scope=Scope.APP)

    relink_customer = provide(RelinkCustomer)
    unlink_customer = provide(UnlinkCustomer)
    list_customers = provide(ListCustomers)
    list_link_conflicts = provide(ListLinkConflicts)
    read_billing_status = provide(ReadBillingStatus)
    create_api_key = provide(CreateApiKey)
    list_api_keys = provide(ListApiKeys)
    revoke_api_key = provide(RevokeApiKey)
    authenticate_api_key = provide(AuthenticateApiKey)

    @provide
    def link_customer(
        self,
        customers: CustomerDirectory,
        transaction: TransactionManager,
        policy: PortalPolicy,
        audit: CustomerLinkAudit,
        clock: Clock,
    ) -> LinkCustomer:
        known = frozenset(policy.segment_configurations)
        return LinkCustomer(customers, transaction, known, audit, clock)

    @provide
    def change_segment(
        self,
        customers: CustomerDirectory,
        audit: CustomerLinkAudit,
        transaction: TransactionManager,
        clock: Clock,
        policy: PortalPolicy,
    ) -> ChangeSegment:
        known = frozenset(policy.segment_configurations)
        return ChangeSegment(customers, audit, transaction, clock, known)

    @provide(scope=Scope.APP)  # all of it app-scoped: the webhook route resolves it once
    def receive_event(
        self,
        intake: EventIntake,
        translator: BillingEventTranslator,
        clock: Clock,
        webhooks: WebhookSettings,
    ) -> ReceiveEvent:
        return ReceiveEvent(intake, translator, clock, livemode=webhooks.livemode)

    @provide(scope=Scope.APP)  # no per-request state: the link and page read together
    def billing_summary(
        self,
        pages: LinkedBillingPages,
        clock: Clock,
        policy: PortalPolicy,
        catalog: PortalCatalog,
    ) -> BillingSummary:
        return BillingSummary.linked_pages(pages, clock, policy, catalog)

    @provide
    def send_outbox_batch(
        self,
        outbox: Outbox,
        renderer: EmailRenderer,
        mailer: Mailer,
        clock: Clock,
        transaction: TransactionManager,
        settings: SyncSettings,
        mail: MailSettings,
    ) -> SendOutboxBatch:
        return SendOutboxBatch(
            outbox, renderer, mailer, clock, transaction, settings,
            message_id_domain=mail.message_id_domain,
        )  # fmt: skip
