"""An invoice as the mirror holds it, for the billing page's invoice list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.billing.version import SourceVersion


@dataclass(frozen=True, slots=True)
class MirroredInvoice:
    """Amounts are in the currency's minor unit (cents), as Stripe gives them."""

    id: str
    version: SourceVersion
    customer_id: str | None
    created: datetime
    status: str | None = None  # draft, open, paid, uncollectible, void (or a newer one)
    subscription_id: str | None = None
    number: str | None = None
    amount_due: int = 0
    amount_paid: int = 0
    total: int = 0
    currency: str = "usd"
    period_start: datetime | None = None
    period_end: datetime | None = None
    hosted_invoice_url: str | None = None
    invoice_pdf: str | None = None
