from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ProviderConfiguration:
    """A portal configuration as the provider holds it, as plain JSON-like data."""

    id: str
    active: bool
    metadata: Mapping[str, str] = field(default_factory=dict)
    fields: Mapping[str, object] = field(default_factory=dict)
    is_default: bool = False


@dataclass(frozen=True, slots=True)
class ProviderPrice:
    """A price as the provider holds it; ``lookup_key`` is Stripe's, when it has one."""

    id: str
    product_id: str
    active: bool
    recurring: bool
    metered: bool
    lookup_key: str | None = None


class PortalConfigurationProvider(Protocol):
    """Creates and updates portal configurations at the provider (Stripe).

    ``params`` use the provider's own field names and nesting (Stripe's
    ``business_profile``, ``features``, ``metadata``, ``active`` ...). Writes carry an
    idempotency key so a retried call never creates a duplicate.
    """

    async def list_configurations(self) -> list[ProviderConfiguration]:
        """Every configuration on the account, active and inactive (all pages)."""
        ...

    async def create_configuration(
        self, params: Mapping[str, object], *, idempotency_key: str
    ) -> ProviderConfiguration: ...

    async def update_configuration(
        self, configuration_id: str, params: Mapping[str, object], *, idempotency_key: str
    ) -> ProviderConfiguration: ...

    async def get_prices(self, price_ids: Sequence[str]) -> list[ProviderPrice]:
        """The prices that exist among ``price_ids`` (unknown ids are simply absent)."""
        ...

    async def find_prices_by_lookup_keys(self, lookup_keys: Sequence[str]) -> list[ProviderPrice]:
        """The active prices whose lookup key is among ``lookup_keys``, each with its key.

        A key no active price holds is simply absent from the result (Stripe lets at most
        one price hold a given key).
        """
        ...
