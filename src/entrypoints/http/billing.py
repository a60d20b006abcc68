"""GET /api/billing/summary and /api/billing/invoices: the signed-in user's billing page."""

from __future__ import annotations

from typing import Annotated, Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Request, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter

from application.billing_page.billing_summary import (
    BillingSummary,
    BillingSummaryResult,
    InvoiceLine,
)
from application.billing_page.list_invoices import MAX_PAGE, ListInvoices
from application.open_portal import PortalAccessSettings
from domain.billing.invoice import MirroredInvoice
from domain.portal_decision import OpenPortal, Redirect
from domain.return_url import redirect_url
from entrypoints.http.billing_schemas import (
    BillingSummaryBody,
    InvoicePageBody,
    InvoiceSummary,
    LatestInvoice,
    PaymentMethodSummary,
    PlanItem,
    PortalOutlook,
    SubscriptionSummary,
    TaxIdSummary,
)


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(None, description=description, media_type="application/problem+json")


_ERRORS = {
    401: _problem("Missing, expired or invalid bearer token"),
    404: _problem("No billing account linked to the user"),
    503: _problem("Database unavailable"),
}


def _portal(result: BillingSummaryResult, app_base_url: str) -> PortalOutlook:
    decision = result.decision
    reason, explanation = decision.reason.value, decision.explanation
    if isinstance(decision, OpenPortal):
        flows = list(result.allowed_flows)
        return PortalOutlook("portal", reason, explanation, decision.configuration, None, flows)
    if isinstance(decision, Redirect):
        target = redirect_url(app_base_url, decision.redirect_to)
        return PortalOutlook("redirect", reason, explanation, None, target, [])
    return PortalOutlook("none", reason, explanation, None, None, [])


def _latest_invoice(invoice: InvoiceLine | None) -> LatestInvoice | None:
    if invoice is None:
        return None
    return LatestInvoice(
        invoice.status, invoice.amount_due, invoice.currency, invoice.hosted_invoice_url
    )


def summary_body(
    user_id: str, result: BillingSummaryResult, app_base_url: str
) -> BillingSummaryBody:
    subscriptions = []
    for line in result.subscriptions:
        items = [
            PlanItem(p.price_id, p.plan_name, p.interval, p.interval_count, p.quantity)
            for p in line.plans
        ]
        first = items[0] if items else None
        names = [p.plan_name or p.price_id for p in items]
        subscriptions.append(
            SubscriptionSummary(
                id=line.id,
                status=line.status,
                plan_name=" + ".join(names) or None,
                price_id=first.price_id if first else None,
                interval=first.interval if first else None,
                interval_count=first.interval_count if first else None,
                quantity=first.quantity if first else None,
                current_period_end=line.period_end,
                cancel_at_period_end=line.cancel_at_period_end,
                cancel_at=line.cancel_at,
                canceled_at=line.canceled_at,
                ended_at=line.ended_at,
                items=items,
                current_period_start=line.period_start,
                latest_invoice=_latest_invoice(line.latest_invoice),
            )
        )
    method = result.default_payment_method
    return BillingSummaryBody(
        user_id=user_id,
        customer_id=result.customer_id,
        subscriptions=subscriptions,
        default_payment_method=(
            PaymentMethodSummary(method.brand, method.last4, method.exp_month, method.exp_year)
            if method is not None
            else None
        ),
        mirror_updated_at=result.mirror_updated_at,
        portal=_portal(result, app_base_url),
        tax_ids=[TaxIdSummary(t.type, t.value) for t in result.tax_ids],
    )


@get(
    "/summary",
    summary="The signed-in user's subscriptions, card and portal outlook",
    description=(
        "Read from the billing mirror, which webhooks keep up to date within seconds. "
        "`portal` says what POST /api/billing/portal-sessions would do now."
    ),
    responses=_ERRORS,
    security=[{"bearer": []}],
)
@inject
async def billing_summary(
    request: Request[str, Any, Any],
    summary: FromDishka[BillingSummary],
    portal: FromDishka[PortalAccessSettings],
) -> BillingSummaryBody:
    result = await summary.execute(request.user)
    return summary_body(request.user, result, portal.return_urls.app_base_url)


def _invoice(invoice: MirroredInvoice) -> InvoiceSummary:
    return InvoiceSummary(
        id=invoice.id,
        number=invoice.number,
        status=invoice.status,
        amount_due=invoice.amount_due,
        amount_paid=invoice.amount_paid,
        total=invoice.total,
        currency=invoice.currency,
        created=invoice.created,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        hosted_invoice_url=invoice.hosted_invoice_url,
        invoice_pdf=invoice.invoice_pdf,
    )


@get(
    "/invoices",
    summary="The signed-in user's invoices, newest first, a page at a time",
    responses={**_ERRORS, 422: _problem("limit outside 1..100, or a cursor we did not issue")},
    security=[{"bearer": []}],
)
@inject
async def billing_invoices(
    request: Request[str, Any, Any],
    invoices: FromDishka[ListInvoices],
    limit: Annotated[
        int, Parameter(ge=1, le=MAX_PAGE, description=f"Invoices per page, 1..{MAX_PAGE}")
    ] = 20,
    cursor: Annotated[
        str | None, Parameter(description="`next_cursor` of the previous page")
    ] = None,
) -> InvoicePageBody:
    page = await invoices.execute(request.user, limit=limit, cursor=cursor)
    return InvoicePageBody([_invoice(i) for i in page.invoices], page.next_cursor)
