"""A payment method as the mirror holds it (never the card number: brand, last 4, expiry)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.billing.version import SourceVersion


@dataclass(frozen=True, slots=True)
class MirroredPaymentMethod:
    id: str
    version: SourceVersion
    customer_id: str | None
    type: str = "card"
    brand: str | None = None
    last4: str | None = None
    exp_month: int | None = None
    exp_year: int | None = None
    detached: bool = False

    @property
    def label(self) -> str:
        """How a person names it: ``Visa ending in 4242``."""
        brand = (self.brand or self.type or "card").replace("_", " ").title()
        return f"{brand} ending in {self.last4}" if self.last4 else brand
