"""One in-memory fake per port of ``application.ports``, each subclassing its port (mypy
checks that it still fits), shared by the unit tests and, through ``FakeStripeFamily``'s
dishka overrides, by the integration tests that do not need the real adapter."""

from .access_audit import FakePortalAccessAudit
from .api_key_store import FakeApiKeyStore
from .billing_audit_log import FakeBillingAuditLog
from .billing_event_source import FakeBillingEventSource
from .billing_mirror import FakeBillingMirror
from .billing_provider import FakeBillingProvider
from .clock import FakeClock
from .configuration_mappings import FakeConfigurationMappings
from .customer_directory import FakeCustomerDirectory
from .customer_link_audit import FakeCustomerLinkAudit
from .event_inbox import FakeEventInbox
from .mailer import FakeMailer
from .outbox import FakeOutbox
from .overrides import FakeStripeFamily
from .page_sessions import FakePageSessions
from .portal_catalog import FakePortalCatalog
from .portal_configuration_provider import (
    SEED_PRICES,
    FakePortalConfigurationProvider,
    ProviderCrashed,
    a_price,
    account_prices,
)
from .rate_limiter import FakeRateLimiter
from .transaction_manager import FakeTransactionManager, Snapshotted, Transactional

__all__ = [
    "SEED_PRICES",
    "FakeApiKeyStore",
    "FakeBillingAuditLog",
    "FakeBillingEventSource",
    "FakeBillingMirror",
    "FakeBillingProvider",
    "FakeClock",
    "FakeConfigurationMappings",
    "FakeCustomerDirectory",
    "FakeCustomerLinkAudit",
    "FakeEventInbox",
    "FakeMailer",
    "FakeOutbox",
    "FakePageSessions",
    "FakePortalAccessAudit",
    "FakePortalCatalog",
    "FakePortalConfigurationProvider",
    "FakeRateLimiter",
    "FakeStripeFamily",
    "FakeTransactionManager",
    "ProviderCrashed",
    "Snapshotted",
    "Transactional",
    "a_price",
    "account_prices",
]
