"""A Stripe customer as the mirror holds it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from domain.billing.version import SourceVersion


@dataclass(frozen=True, slots=True)
class PostalAddress:
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    postal_code: str | None = None
    state: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class TaxId:
    type: str
    value: str
    id: str | None = None  # None in rows written before tax ids were mirrored by id


@dataclass(frozen=True, slots=True)
class MirroredCustomer:
    id: str
    version: SourceVersion
    email: str | None = None
    name: str | None = None
    address: PostalAddress | None = None
    phone: str | None = None
    # None: the state we were given did not say (Stripe leaves tax ids out of a customer
    # unless they are expanded); the mirror then keeps the tax ids it already holds.
    tax_ids: tuple[TaxId, ...] | None = ()
    default_payment_method_id: str | None = None
    deleted: bool = False
    # String values only. Automatic linking reads the app's user id and segment from it,
    # under the keys the settings name.
    metadata: Mapping[str, str] = field(default_factory=dict)

    def keeping_tax_ids_of(self, held: MirroredCustomer | None) -> MirroredCustomer:
        """This state, with the tax ids ``held`` has when this state does not name any."""
        if self.tax_ids is not None:
            return self
        return replace(self, tax_ids=held.tax_ids if held is not None else None)
