"""A Stripe-like portal configuration provider: it stores objects with Stripe's extra keys,
applies ``""`` as a clear, replays a reused idempotency key and counts writes and price reads.
``SEED_PRICES`` are the sandbox seed's plans (the shipped catalog names them by lookup key).
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from application.ports.portal_configuration_provider import (
    PortalConfigurationProvider,
    ProviderConfiguration,
    ProviderPrice,
)

# A new configuration as Stripe returns it (fixtures3.json shape), before params apply.
_BLANK: dict[str, Any] = {
    "active": True,
    "application": None,
    "business_profile": {
        "headline": None,
        "privacy_policy_url": None,
        "terms_of_service_url": None,
    },
    "created": 1234567890,
    "default_return_url": None,
    "features": {
        "customer_update": {"allowed_updates": [], "enabled": False},
        "invoice_history": {"enabled": False},
        "payment_method_update": {"enabled": False, "payment_method_configuration": None},
        "subscription_cancel": {
            "cancellation_reason": {"enabled": False, "options": []},
            "enabled": False,
            "mode": "at_period_end",
            "proration_behavior": "none",
        },
        "subscription_update": {
            "default_allowed_updates": [],
            "enabled": False,
            "products": [],
            "proration_behavior": "none",
            "schedule_at_period_end": {"conditions": []},
            "trial_update_behavior": "end_trial",
            "billing_cycle_anchor": None,
        },
    },
    "is_default": False,
    "livemode": False,
    "login_page": {"enabled": False, "url": None},
    "metadata": {},
    "object": "billing_portal.configuration",
    "updated": 1234567890,
    "name": None,
}


class ProviderCrashed(Exception):
    """Simulates the process dying right after a provider call succeeded."""


class FakePortalConfigurationProvider(PortalConfigurationProvider):
    """Configurations as Stripe-shaped dicts in ``objects``; ``prices`` by id.

    New ids are ``<id_prefix><4 digits>``: give each test its own prefix when the mappings
    outlive the fake (a shared database), so one test never finds another's ids.
    """

    def __init__(self, prices: Sequence[ProviderPrice] = (), *, id_prefix: str = "bpc_") -> None:
        self.id_prefix = id_prefix
        self.objects: dict[str, dict[str, Any]] = {}
        self.prices = {price.id: price for price in prices}
        self.writes: list[tuple[str, str, str]] = []  # (call, configuration id, key)
        self.price_reads = 0
        self.crash_after_write = False
        self._ids = itertools.count(1)
        self._clock = itertools.count(1_700_000_000)
        self._replies: dict[str, tuple[Mapping[str, object], str]] = {}

    async def list_configurations(self) -> list[ProviderConfiguration]:
        return [_view(obj) for obj in self.objects.values()]

    async def create_configuration(
        self, params: Mapping[str, object], *, idempotency_key: str
    ) -> ProviderConfiguration:
        if (replayed := self._replay(params, idempotency_key)) is not None:
            return replayed
        obj = copy.deepcopy(_BLANK)
        obj["id"] = f"{self.id_prefix}{next(self._ids):04d}"
        self.objects[obj["id"]] = obj
        return self._write("create", obj, params, idempotency_key)

    async def update_configuration(
        self, configuration_id: str, params: Mapping[str, object], *, idempotency_key: str
    ) -> ProviderConfiguration:
        if (replayed := self._replay(params, idempotency_key)) is not None:
            return replayed
        return self._write("update", self.objects[configuration_id], params, idempotency_key)

    async def get_prices(self, price_ids: Sequence[str]) -> list[ProviderPrice]:
        self.price_reads += 1
        return [self.prices[i] for i in price_ids if i in self.prices]

    async def find_prices_by_lookup_keys(self, lookup_keys: Sequence[str]) -> list[ProviderPrice]:
        self.price_reads += 1
        return [p for p in self.prices.values() if p.active and p.lookup_key in lookup_keys]

    def edit_outside_catalog(self, configuration_id: str, params: Mapping[str, object]) -> None:
        """What someone clicking in the Dashboard does."""
        _merge(self.objects[configuration_id], params)
        self.objects[configuration_id]["updated"] = next(self._clock)

    def by_name(self, name: str) -> list[dict[str, Any]]:
        return [
            o for o in self.objects.values() if o["metadata"].get("portal_catalog_name") == name
        ]

    def _replay(self, params: Mapping[str, object], key: str) -> ProviderConfiguration | None:
        if key not in self._replies:
            return None
        seen, configuration_id = self._replies[key]
        if seen != params:
            raise AssertionError(f"idempotency key {key!r} reused with different parameters")
        return _view(self.objects[configuration_id])

    def _write(
        self, call: str, obj: dict[str, Any], params: Mapping[str, object], key: str
    ) -> ProviderConfiguration:
        _merge(obj, params)
        obj["updated"] = next(self._clock)
        self.writes.append((call, obj["id"], key))
        self._replies[key] = (copy.deepcopy(dict(params)), obj["id"])
        if self.crash_after_write:
            raise ProviderCrashed(call)
        return _view(obj)


def _merge(target: dict[str, Any], params: Mapping[str, object]) -> None:
    """Stripe's update semantics: nested hashes merge, ``""`` clears, lists replace."""
    for key, value in params.items():
        if key == "metadata" and isinstance(value, Mapping):
            for meta_key, meta_value in value.items():
                if meta_value == "":
                    target["metadata"].pop(meta_key, None)
                else:
                    target["metadata"][meta_key] = meta_value
        elif isinstance(value, Mapping):
            _merge(target.setdefault(key, {}), value)
        elif key == "products" and isinstance(value, list):
            target[key] = [
                {**item, "adjustable_quantity": {"enabled": False, "maximum": None, "minimum": 1}}
                for item in value
            ]
        elif value == "":
            target[key] = [] if isinstance(target.get(key), list) else None
        else:
            target[key] = copy.deepcopy(value)


def _view(obj: dict[str, Any]) -> ProviderConfiguration:
    data = copy.deepcopy(obj)
    return ProviderConfiguration(
        id=data["id"],
        active=data["active"],
        metadata=dict(data["metadata"]),
        fields=data,
        is_default=data["is_default"],
    )


def a_price(
    price_id: str,
    product: str,
    *,
    metered: bool = False,
    recurring: bool = True,
    lookup_key: str | None = None,
    active: bool = True,
) -> ProviderPrice:
    return ProviderPrice(
        price_id,
        product,
        active=active,
        recurring=recurring,
        metered=metered,
        lookup_key=lookup_key,
    )


# The sandbox seed's plans; the shipped catalog names them by lookup key.
SEED_PRICES = (
    a_price("price_basic_monthly", "prod_demo_basic", lookup_key="basic_monthly"),
    a_price("price_basic_yearly", "prod_demo_basic", lookup_key="basic_yearly"),
    a_price("price_pro_monthly", "prod_demo_pro", lookup_key="pro_monthly"),
    a_price("price_pro_yearly", "prod_demo_pro", lookup_key="pro_yearly"),
)


def account_prices(prefix: str) -> tuple[ProviderPrice, ...]:
    """The seed's plans as another Stripe account (or mode) holds them: same lookup keys,
    generated ids such as ``price_1Qlive_basic_monthly``."""
    return tuple(
        a_price(f"price_1Q{prefix}_{p.lookup_key}", p.product_id, lookup_key=p.lookup_key)
        for p in SEED_PRICES
    )
