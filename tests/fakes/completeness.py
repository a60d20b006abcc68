"""mypy treats a port method a fake does not define as abstract, and refuses to instantiate
the fake: building each one here makes ``make lint`` fail when a port gains a method its
fake lacks (subclassing alone would inherit the Protocol's empty stub silently)."""

from __future__ import annotations

from datetime import UTC, datetime

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
from .page_sessions import FakePageSessions
from .portal_catalog import FakePortalCatalog
from .portal_configuration_provider import FakePortalConfigurationProvider
from .rate_limiter import FakeRateLimiter
from .transaction_manager import FakeTransactionManager


def one_of_each() -> list[object]:
    clock = FakeClock(datetime(2026, 1, 1, tzinfo=UTC))
    return [
        clock,
        FakePortalAccessAudit(),
        FakeApiKeyStore(),
        FakeBillingAuditLog(),
        FakeBillingEventSource(clock),
        FakeBillingMirror(clock),
        FakeBillingProvider(),
        FakeConfigurationMappings(),
        FakeCustomerDirectory(),
        FakeCustomerLinkAudit(),
        FakeEventInbox(),
        FakeMailer(),
        FakeOutbox(),
        FakePageSessions(),
        FakePortalCatalog(),
        FakePortalConfigurationProvider(),
        FakeRateLimiter(),
        FakeTransactionManager(),
    ]
