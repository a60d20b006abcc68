"""SQLAlchemy 2 (async) persistence: engine, tables, Alembic migrations and repositories.

Works on PostgreSQL (asyncpg) and SQLite (aiosqlite, the embedded default). Repositories
take the request-scoped ``AsyncSession`` and never commit; ``SqlaTransactionManager`` ends
the unit of work. The rate limiter and the page sessions alone run their own short transactions on the
engine.
"""

from adapters.persistence.access_audit import SqlaPortalAccessAudit
from adapters.persistence.api_key_store import SqlaApiKeyStore
from adapters.persistence.billing_audit_log import SqlaBillingAuditLog
from adapters.persistence.billing_mirror import SqlaBillingMirror
from adapters.persistence.configuration_mappings import SqlaConfigurationMappings
from adapters.persistence.customer_directory import SqlaCustomerDirectory
from adapters.persistence.customer_link_audit import (
    SqlaCustomerLinkAudit,
    SqlaCustomerLinkHistory,
)
from adapters.persistence.engine import (
    async_database_url,
    check_database,
    create_engine,
    create_session_factory,
)
from adapters.persistence.event_inbox import SqlaEventInbox
from adapters.persistence.migrate import (
    current_revision,
    current_revision_async,
    head_revision,
    upgrade_database,
    upgrade_database_async,
)
from adapters.persistence.outbox import SqlaOutbox
from adapters.persistence.page_sessions import SqlaPageSessions
from adapters.persistence.rate_limiter import SqlaRateLimiter
from adapters.persistence.tables import metadata
from adapters.persistence.transaction_manager import SqlaTransactionManager

__all__ = [
    "SqlaApiKeyStore",
    "SqlaBillingAuditLog",
    "SqlaBillingMirror",
    "SqlaConfigurationMappings",
    "SqlaCustomerDirectory",
    "SqlaCustomerLinkAudit",
    "SqlaCustomerLinkHistory",
    "SqlaEventInbox",
    "SqlaOutbox",
    "SqlaPageSessions",
    "SqlaPortalAccessAudit",
    "SqlaRateLimiter",
    "SqlaTransactionManager",
    "async_database_url",
    "check_database",
    "create_engine",
    "create_session_factory",
    "current_revision",
    "current_revision_async",
    "head_revision",
    "metadata",
    "upgrade_database",
    "upgrade_database_async",
]
