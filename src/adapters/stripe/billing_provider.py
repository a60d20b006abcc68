"""Stripe behind the billing and portal-configuration ports, through one ``StripeClient``."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import stripe

from adapters.stripe import objects
from adapters.stripe.errors import stripe_errors
from adapters.stripe.lean_post import LeanPortalSessions
from adapters.stripe.mapping import configuration_from_stripe, price_from_stripe
from adapters.stripe.pagination import every_page
from adapters.stripe.portal_session import portal_session_params
from adapters.stripe.reads import each_object
from application.errors import ProviderMisconfigured
from application.ports.billing_provider import (
    BillingProvider,
    PortalSession,
    PortalSessionRequest,
)
from application.ports.portal_configuration_provider import (
    PortalConfigurationProvider,
    ProviderConfiguration,
    ProviderPrice,
)
from domain.subscription import Subscription


class StripeBillingProvider(BillingProvider, PortalConfigurationProvider):
    """Subscriptions, portal sessions, portal configurations and prices on Stripe's API v1.

    Every call goes through ``stripe_errors``, so only application errors leave here.
    Writes carry an idempotency key, which the SDK reuses when it retries the request.
    A deep link that names its price by lookup key costs one more read (``GET /v1/prices``)
    to find the id of the active price holding the key.
    """

    def __init__(self, client: stripe.StripeClient) -> None:
        self._v1 = client.v1
        # Portal sessions without the SDK's per-request work when the client allows it.
        self._sessions = LeanPortalSessions.of(client)

    async def list_subscriptions(self, customer_id: str) -> list[Subscription]:
        # Without status=all Stripe leaves out canceled subscriptions.
        params: dict[str, Any] = {
            "customer": customer_id,
            "status": "all",
            "expand": [f"data.{e}" for e in objects.SUBSCRIPTION_EXPAND],
        }
        found: list[Subscription] = []
        with stripe_errors("list the customer's subscriptions", resource="subscriptions"):
            async for data, version in each_object(self._v1.subscriptions.list_async, params):
                found.append(objects.subscription(data, version).subscription)
        return found

    async def create_portal_session(self, request: PortalSessionRequest) -> PortalSession:
        flow = request.flow
        if flow is not None and flow.price_lookup_key is not None:
            price_id = await self._price_id_for(flow.price_lookup_key)
            request = replace(request, flow=replace(flow, price_id=price_id))
        key = f"portal-session-{uuid.uuid4()}"
        if self._sessions is not None:
            with stripe_errors("create a portal session", resource="billing portal sessions"):
                return await self._sessions.create(portal_session_params(request), key)
        options: stripe.RequestOptions = {"idempotency_key": key}
        with stripe_errors("create a portal session", resource="billing portal sessions"):
            session = await self._v1.billing_portal.sessions.create_async(
                _any(portal_session_params(request)), options
            )
        return PortalSession(id=session.id, url=session.url)

    async def list_configurations(self) -> list[ProviderConfiguration]:
        with stripe_errors("list portal configurations", resource="billing portal configurations"):
            found = await every_page(
                self._v1.billing_portal.configurations.list_async,
                {"expand": [f"data.{_PRODUCTS}"]},
            )
        return [configuration_from_stripe(conf) for conf in found]

    async def create_configuration(
        self, params: Mapping[str, object], *, idempotency_key: str
    ) -> ProviderConfiguration:
        options: stripe.RequestOptions = {"idempotency_key": idempotency_key}
        with stripe_errors(
            "create a portal configuration", resource="billing portal configurations"
        ):
            created = await self._v1.billing_portal.configurations.create_async(
                _any({**params, "expand": [_PRODUCTS]}), options
            )
        return configuration_from_stripe(created)

    async def update_configuration(
        self, configuration_id: str, params: Mapping[str, object], *, idempotency_key: str
    ) -> ProviderConfiguration:
        options: stripe.RequestOptions = {"idempotency_key": idempotency_key}
        with stripe_errors(
            f"update portal configuration {configuration_id}",
            resource="billing portal configurations",
        ):
            updated = await self._v1.billing_portal.configurations.update_async(
                configuration_id, _any({**params, "expand": [_PRODUCTS]}), options
            )
        return configuration_from_stripe(updated)

    async def get_prices(self, price_ids: Sequence[str]) -> list[ProviderPrice]:
        prices = []
        for price_id in dict.fromkeys(price_ids):
            price = await self._retrieve_price(price_id)
            if price is not None:
                prices.append(price)
        return prices

    async def find_prices_by_lookup_keys(self, lookup_keys: Sequence[str]) -> list[ProviderPrice]:
        keys = list(dict.fromkeys(lookup_keys))
        prices: list[ProviderPrice] = []
        for start in range(0, len(keys), _LOOKUP_KEYS_PER_CALL):
            params = {"lookup_keys": keys[start : start + _LOOKUP_KEYS_PER_CALL], "active": True}
            with stripe_errors("list prices by lookup key", resource="prices"):
                found = await every_page(self._v1.prices.list_async, params)
            prices.extend(price_from_stripe(price) for price in found)
        return prices

    async def _price_id_for(self, lookup_key: str) -> str:
        """The id of the active price holding ``lookup_key`` (a deep link's target)."""
        for price in await self.find_prices_by_lookup_keys([lookup_key]):
            if price.lookup_key == lookup_key:
                return price.id
        raise ProviderMisconfigured(
            f"no active Stripe price has the lookup key {lookup_key!r} that the portal "
            "catalog offers: give a price that key, or fix the catalog and run "
            "`billing-portal configs plan`"
        )

    async def _retrieve_price(self, price_id: str) -> ProviderPrice | None:
        with stripe_errors(f"retrieve price {price_id}", resource="prices"):
            try:
                price = await self._v1.prices.retrieve_async(price_id)
            except stripe.InvalidRequestError as e:
                if e.code == "resource_missing":
                    return None
                raise
        return price_from_stripe(price)


# Stripe returns a configuration's product list only when it is expanded ("includable").
_PRODUCTS = "features.subscription_update.products"
# GET /v1/prices accepts at most 10 lookup_keys per request.
_LOOKUP_KEYS_PER_CALL = 10


def _any(params: dict[str, Any]) -> Any:
    """Our params are plain dicts; the SDK types them as TypedDicts per endpoint."""
    return params
