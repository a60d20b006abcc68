"""SQLAlchemy: one engine per process, one AsyncSession per request shared by repositories."""

from __future__ import annotations

from collections.abc import AsyncIterator

from dishka import AnyOf, Provider, Scope, provide
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters.persistence import (
    SqlaApiKeyStore,
    SqlaConfigurationMappings,
    SqlaCustomerDirectory,
    SqlaCustomerLinkAudit,
    SqlaCustomerLinkHistory,
    SqlaPageSessions,
    SqlaPortalAccessAudit,
    SqlaRateLimiter,
    SqlaTransactionManager,
    create_engine,
    create_session_factory,
)
from adapters.persistence.access_audit import AuditRowBatches
from adapters.persistence.billing_mirror import SqlaLinkedBillingPages
from adapters.persistence.event_intake import GroupCommitEventIntake
from application.ports.access_audit import PortalAccessAudit
from application.ports.api_key_store import ApiKeyStore
from application.ports.billing_mirror import LinkedBillingPages
from application.ports.configuration_mappings import ConfigurationMappings
from application.ports.customer_directory import CustomerDirectory
from application.ports.customer_link_audit import CustomerLinkAudit
from application.ports.customer_link_history import CustomerLinkHistory
from application.ports.event_intake import EventIntake
from application.ports.page_sessions import PageSessionStore
from application.ports.rate_limiter import RateLimiter
from application.ports.transaction_manager import TransactionManager
from entrypoints.logging import log_info
from entrypoints.settings import Settings


class PersistenceProvider(Provider):
    @provide(scope=Scope.APP)
    async def engine(self, settings: Settings) -> AsyncIterator[AsyncEngine]:
        engine = create_engine(settings.database_url)
        yield engine
        await engine.dispose()

    @provide(scope=Scope.APP)
    def session_factory(self, engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
        return create_session_factory(engine)

    @provide(scope=Scope.REQUEST)
    async def session(
        self, factory: async_sessionmaker[AsyncSession]
    ) -> AsyncIterator[AsyncSession]:
        # Closing rolls back whatever the use case did not commit; nothing commits here.
        session = factory()
        try:
            yield session
        finally:
            await session.close()

    customers = provide(SqlaCustomerDirectory, scope=Scope.REQUEST, provides=CustomerDirectory)
    mappings = provide(
        SqlaConfigurationMappings, scope=Scope.REQUEST, provides=ConfigurationMappings
    )

    @provide(scope=Scope.REQUEST)
    def audit(self, session: AsyncSession) -> PortalAccessAudit:
        return SqlaPortalAccessAudit(session, log_info=log_info)

    link_audit = provide(SqlaCustomerLinkAudit, scope=Scope.REQUEST, provides=CustomerLinkAudit)
    link_history = provide(
        SqlaCustomerLinkHistory, scope=Scope.REQUEST, provides=CustomerLinkHistory
    )
    api_keys = provide(SqlaApiKeyStore, scope=Scope.REQUEST, provides=ApiKeyStore)
    transaction = provide(SqlaTransactionManager, scope=Scope.REQUEST, provides=TransactionManager)

    @provide(scope=Scope.APP)
    def linked_pages(
        self, engine: AsyncEngine, factory: async_sessionmaker[AsyncSession]
    ) -> LinkedBillingPages:
        return SqlaLinkedBillingPages(engine, factory)

    @provide(scope=Scope.APP)
    def page_sessions(self, engine: AsyncEngine) -> PageSessionStore:
        return SqlaPageSessions(engine)

    @provide(scope=Scope.APP)
    async def event_intake(self, engine: AsyncEngine) -> AsyncIterator[EventIntake]:
        # One per process: concurrent webhook deliveries share its commits.
        intake = GroupCommitEventIntake(engine)
        yield intake
        await intake.close()  # its kept connections, before the engine is disposed

    @provide(scope=Scope.APP)
    async def audit_row_batches(self, engine: AsyncEngine) -> AsyncIterator[AuditRowBatches]:
        # One per process: concurrent portal sessions share their audit rows' commits.
        batches = AuditRowBatches(engine)
        yield batches
        await batches.close()  # its kept connections, before the engine is disposed

    @provide(scope=Scope.APP)
    def rate_limiter(self, engine: AsyncEngine) -> AnyOf[SqlaRateLimiter, RateLimiter]:
        return SqlaRateLimiter(engine)
