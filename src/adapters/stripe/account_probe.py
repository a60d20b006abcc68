"""``config check``'s Stripe probe: the key's mode and one cheap read per permission."""

from __future__ import annotations

import stripe

from adapters.stripe.errors import stripe_errors
from application.ports.provider_account import ProviderAccount, ProviderAccountProbe

_LIVE_PREFIXES = ("sk_live_", "rk_live_")


class StripeAccountProbe(ProviderAccountProbe):
    """Lists one object of each resource the service reads (customers, subscriptions,
    portal configurations, events): a restricted key missing one of these permissions is
    named. Nothing is written. The mode is the key's (``sk_live_``/``rk_live_``: live)."""

    _READS = (
        ("customers", "customers"),
        ("subscriptions", "subscriptions"),
        ("billing portal configurations", "billing_portal.configurations"),
        ("events", "events"),
    )

    def __init__(self, client: stripe.StripeClient, api_key: str) -> None:
        self._client = client
        self._livemode = api_key.startswith(_LIVE_PREFIXES)

    async def probe(self) -> ProviderAccount:
        v1 = self._client.v1
        services = {
            "customers": v1.customers,
            "subscriptions": v1.subscriptions,
            "billing_portal.configurations": v1.billing_portal.configurations,
            "events": v1.events,
        }
        for resource, key in self._READS:
            with stripe_errors(f"list {resource}", resource=resource):
                await services[key].list_async(params={"limit": 1})  # type: ignore[attr-defined]
        return ProviderAccount(self._livemode, tuple(resource for resource, _ in self._READS))
