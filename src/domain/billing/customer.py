"""A Stripe customer as the mirror holds it."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class MirroredCustomer:
    id: str
    version: SourceVersion
    email: str | None = None
    name: str | None = None
    address: PostalAddress | None = None
    phone: str | None = None
    tax_ids: tuple[TaxId, ...] = ()
    default_payment_method_id: str | None = None
    deleted: bool = False
