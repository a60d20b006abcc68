"""Stripe: ONE StripeClient per process, its connection pool closed at shutdown."""

from __future__ import annotations

from collections.abc import AsyncIterator

import stripe
from dishka import AnyOf, Provider, Scope, provide

from adapters.stripe.billing_provider import StripeBillingProvider
from adapters.stripe.client import StripeSettings, open_stripe_client
from adapters.stripe.event_source import StripeBillingEventSource
from application.ports.billing_event_source import BillingEventSource
from application.ports.billing_provider import BillingProvider
from application.ports.portal_configuration_provider import PortalConfigurationProvider


class StripeProvider(Provider):
    scope = Scope.APP

    @provide
    async def client(self, settings: StripeSettings) -> AsyncIterator[stripe.StripeClient]:
        async with open_stripe_client(settings) as client:
            yield client

    @provide
    def billing(
        self, client: stripe.StripeClient
    ) -> AnyOf[BillingProvider, PortalConfigurationProvider]:
        return StripeBillingProvider(client)

    @provide
    def events(self, client: stripe.StripeClient) -> BillingEventSource:
        return StripeBillingEventSource(client)
