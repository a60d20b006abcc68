"""dishka override providers that put the fakes where the Stripe adapters would be."""

from __future__ import annotations

from dishka import Provider, Scope

from application.ports.billing_event_source import BillingEventSource
from application.ports.billing_provider import BillingProvider
from application.ports.portal_configuration_provider import PortalConfigurationProvider

from .billing_event_source import FakeBillingEventSource
from .billing_provider import FakeBillingProvider
from .portal_configuration_provider import FakePortalConfigurationProvider


class FakeStripeFamily(Provider):
    """Replaces each Stripe adapter given a fake; the others stay real (and unused)."""

    def __init__(
        self,
        billing: FakeBillingProvider | None = None,
        configurations: FakePortalConfigurationProvider | None = None,
        events: FakeBillingEventSource | None = None,
    ) -> None:
        super().__init__(scope=Scope.APP)
        if billing is not None:
            self.provide(lambda: billing, provides=BillingProvider)
        if configurations is not None:
            self.provide(lambda: configurations, provides=PortalConfigurationProvider)
        if events is not None:
            self.provide(lambda: events, provides=BillingEventSource)
