"""Use case: what the signed-in user's billing page shows (``GET /api/billing/summary``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from application.billing_page.allowed_flows import allowed_flows
from application.errors import NoBillingAccount
from application.ports.billing_mirror import BillingMirror, BillingPageRead, LinkedBillingPages
from application.ports.clock import Clock
from application.ports.customer_directory import CustomerDirectory
from application.ports.portal_catalog import PortalCatalog
from domain.billing.customer import TaxId
from domain.billing.invoice import MirroredInvoice
from domain.billing.payment_method import MirroredPaymentMethod
from domain.billing.subscription import MirroredSubscription
from domain.customer import Customer
from domain.portal_decision import OpenPortal, PortalDecision
from domain.portal_flow import FlowType
from domain.portal_policy import PortalPolicy, decide_portal_access


@dataclass(frozen=True, slots=True)
class PlanLine:
    price_id: str
    plan_name: str | None
    interval: str | None
    interval_count: int
    quantity: int | None


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """The subscription's newest invoice: for an overdue one, the payment that failed."""

    status: str | None
    amount_due: int  # in the currency's minor unit
    currency: str
    hosted_invoice_url: str | None


@dataclass(frozen=True, slots=True)
class SubscriptionLine:
    id: str
    status: str  # Stripe's own string, even one this service does not know
    plans: tuple[PlanLine, ...]
    period_end: datetime | None
    cancel_at_period_end: bool
    cancel_at: datetime | None
    canceled_at: datetime | None = None
    ended_at: datetime | None = None
    period_start: datetime | None = None
    latest_invoice: InvoiceLine | None = None  # None: the mirror holds no invoice for it


@dataclass(frozen=True, slots=True)
class BillingSummaryResult:
    customer_id: str
    subscriptions: tuple[SubscriptionLine, ...]
    default_payment_method: MirroredPaymentMethod | None
    # When we last wrote this customer's mirror (our clock, microseconds): a page can tell
    # whether anything changed since it last looked, even within the provider's second.
    mirror_updated_at: datetime | None
    decision: PortalDecision
    # The deep links the decision's configuration allows this customer now (needs a catalog).
    allowed_flows: tuple[FlowType, ...] = ()
    tax_ids: tuple[TaxId, ...] = ()


class BillingSummary:
    """Read-only, from the mirror. Raises ``NoBillingAccount`` when no customer is linked.

    With ``catalog``, the result also lists the deep links the chosen configuration allows.
    ``linked_pages`` builds one that reads the link and the page together (the service's).
    """

    def __init__(
        self,
        customers: CustomerDirectory,
        mirror: BillingMirror,
        clock: Clock,
        policy: PortalPolicy,
        catalog: PortalCatalog | None = None,
    ) -> None:
        self._pages: LinkedBillingPages = _LinkThenPage(customers, mirror)
        self._clock, self._policy = clock, policy
        self._catalog = catalog

    @classmethod
    def linked_pages(
        cls,
        pages: LinkedBillingPages,
        clock: Clock,
        policy: PortalPolicy,
        catalog: PortalCatalog | None = None,
    ) -> BillingSummary:
        """Reading the link and its customer's page with ``pages`` (one statement on
        PostgreSQL); it holds no per-request state, so one serves every request."""
        summary = cls.__new__(cls)
        summary._pages, summary._clock, summary._policy = pages, clock, policy
        summary._catalog = catalog
        return summary

    async def execute(self, user_id: str) -> BillingSummaryResult:
        link, page = await self._pages.read(user_id)  # no row locks
        if link is None or not link.stripe_customer_id or page is None:
            raise NoBillingAccount(f"user {user_id!r} has no billing account linked")
        customer_id = link.stripe_customer_id
        customer, subs, method = page.customer, page.subscriptions, page.default_payment_method
        latest_invoices, names, written_at = (
            page.latest_invoices,
            page.product_names,
            page.last_written_at,
        )
        decision = decide_portal_access(
            self._policy, link, [s.subscription for s in subs], self._clock.now()
        )
        lines = sorted(subs, key=lambda s: (s.subscription.created, s.id), reverse=True)
        flows: tuple[FlowType, ...] = ()
        if isinstance(decision, OpenPortal) and self._catalog is not None:
            capabilities = self._catalog.capabilities(decision.configuration)
            if capabilities is not None:
                snapshots = [s.subscription for s in subs]
                flows = allowed_flows(snapshots, capabilities, decision.configuration)
        return BillingSummaryResult(
            customer_id=customer_id,
            subscriptions=tuple(_line(s, latest_invoices.get(s.id), names) for s in lines),
            default_payment_method=method if method is not None and not method.detached else None,
            mirror_updated_at=written_at,
            decision=decision,
            allowed_flows=flows,
            tax_ids=(customer.tax_ids or ()) if customer is not None else (),
        )


class _LinkThenPage(LinkedBillingPages):
    """The link from the directory, then its customer's page from the mirror."""

    def __init__(self, customers: CustomerDirectory, mirror: BillingMirror) -> None:
        self._customers, self._mirror = customers, mirror

    async def read(self, user_id: str) -> tuple[Customer | None, BillingPageRead | None]:
        link = await self._customers.get(user_id)
        if link is None or not link.stripe_customer_id:
            return link, None
        return link, await self._mirror.read_billing_page(link.stripe_customer_id)


def _line(
    mirrored: MirroredSubscription,
    invoice: MirroredInvoice | None,
    product_names: Mapping[str, str],
) -> SubscriptionLine:
    sub = mirrored.subscription
    return SubscriptionLine(
        id=sub.id,
        status=sub.raw_status or sub.status.value,
        plans=tuple(
            PlanLine(
                price_id=item.price_id,
                plan_name=mirrored.plan_name(item.price_id, product_names),
                interval=item.interval.value if item.interval else None,
                interval_count=item.interval_count,
                quantity=item.quantity,
            )
            for item in sub.items
        ),
        period_end=sub.period_end,
        cancel_at_period_end=sub.cancel_at_period_end,
        cancel_at=sub.cancel_at,
        canceled_at=sub.canceled_at,
        ended_at=sub.ended_at,
        period_start=sub.period_start,
        latest_invoice=(
            InvoiceLine(
                invoice.status, invoice.amount_due, invoice.currency, invoice.hosted_invoice_url
            )
            if invoice is not None
            else None
        ),
    )
