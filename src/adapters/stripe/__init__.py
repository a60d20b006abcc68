"""The Stripe adapter: one async ``StripeClient`` and the ports it implements."""

from adapters.stripe.billing_provider import StripeBillingProvider
from adapters.stripe.client import StripeSettings, build_stripe_client, open_stripe_client
from adapters.stripe.event_source import StripeBillingEventSource
from adapters.stripe.events import StripeEventTranslator

__all__ = [
    "StripeBillingEventSource",
    "StripeBillingProvider",
    "StripeEventTranslator",
    "StripeSettings",
    "build_stripe_client",
    "open_stripe_client",
]
