"""Bodies of the billing page's API (summary, invoices) and of the webhook answer."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from domain.portal_flow import FlowType


class PlanItem(msgspec.Struct, frozen=True):
    """One item of a subscription (a price, its plan name and quantity)."""

    price_id: str
    plan_name: str | None
    interval: str | None
    interval_count: int
    quantity: int | None


class LatestInvoice(msgspec.Struct, frozen=True):
    """A subscription's newest invoice (for an overdue one, the payment that failed);
    ``amount_due`` in the currency's minor unit."""

    status: str | None
    amount_due: int
    currency: str
    hosted_invoice_url: str | None


class SubscriptionSummary(msgspec.Struct, frozen=True):
    """A subscription as the mirror holds it. ``status`` is Stripe's own string (even one
    this service does not know yet); the plan fields describe its first item (``plan_name``
    names every item), ``items`` lists them all. ``latest_invoice`` is null when the
    mirror holds no invoice of the subscription."""

    id: str
    status: str
    plan_name: str | None
    price_id: str | None
    interval: str | None
    interval_count: int | None
    quantity: int | None
    current_period_end: datetime | None
    cancel_at_period_end: bool
    cancel_at: datetime | None
    canceled_at: datetime | None
    ended_at: datetime | None
    items: list[PlanItem]
    current_period_start: datetime | None
    latest_invoice: LatestInvoice | None


class PaymentMethodSummary(msgspec.Struct, frozen=True):
    """The customer's default payment method: never more than brand, last 4 and expiry."""

    brand: str | None
    last4: str | None
    exp_month: int | None
    exp_year: int | None


class TaxIdSummary(msgspec.Struct, frozen=True):
    """One of the customer's tax ids (``type`` as Stripe names it: ``eu_vat``, ``us_ein``...)."""

    type: str
    value: str


class PortalOutlook(msgspec.Struct, frozen=True):
    """What ``POST /api/billing/portal-sessions`` would do for this user now.

    ``action``: ``portal`` (opens with ``configuration``), ``redirect`` (send the user to
    ``redirect_to``) or ``none``. ``allowed_flows``: the deep links that call would accept.
    """

    action: Literal["portal", "redirect", "none"]
    reason: str
    explanation: str
    configuration: str | None
    redirect_to: str | None
    allowed_flows: list[FlowType]


class BillingSummaryBody(msgspec.Struct, frozen=True):
    """The signed-in user's billing at a glance, from the mirror (newest subscription
    first). ``mirror_updated_at``: when this service last wrote their mirror (its own
    clock, to the microsecond): compare two values to tell whether anything changed."""

    user_id: str
    customer_id: str
    subscriptions: list[SubscriptionSummary]
    default_payment_method: PaymentMethodSummary | None
    mirror_updated_at: datetime | None
    portal: PortalOutlook
    tax_ids: list[TaxIdSummary] = []


class InvoiceSummary(msgspec.Struct, frozen=True):
    """Amounts in the currency's minor unit (cents), as Stripe gives them."""

    id: str
    number: str | None
    status: str | None
    amount_due: int
    amount_paid: int
    total: int
    currency: str
    created: datetime
    period_start: datetime | None
    period_end: datetime | None
    hosted_invoice_url: str | None
    invoice_pdf: str | None


class InvoicePageBody(msgspec.Struct, frozen=True):
    """Newest first; pass ``next_cursor`` back as ``cursor`` for the next page (null: done)."""

    data: list[InvoiceSummary]
    next_cursor: str | None


class WebhookReceived(msgspec.Struct, frozen=True):
    """The event is committed to the inbox; ``duplicate``: it already was."""

    received: bool
    duplicate: bool
