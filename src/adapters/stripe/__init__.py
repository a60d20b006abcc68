"""The Stripe adapter: one async ``StripeClient`` and the ports it implements."""

from adapters.stripe.billing_provider import StripeBillingProvider
from adapters.stripe.client import StripeSettings, build_stripe_client, open_stripe_client

__all__ = ["StripeBillingProvider", "StripeSettings", "build_stripe_client", "open_stripe_client"]
