"""``invoice.*``: mirror the invoice; a failed payment gets an email with a way to fix it."""

from __future__ import annotations

from application.sync.events import ProviderEvent
from application.sync.handlers.context import SyncContext
from application.sync.json_fields import text
from application.sync.notifier import EmailTemplate
from application.sync.parsers import parse_invoice
from application.sync.reconcile import reconcile
from domain.billing.money import format_amount


class InvoiceEvents:
    TYPES = tuple(
        f"invoice.{kind}"
        for kind in (
            "created",
            "finalized",
            "paid",
            "payment_failed",
            "payment_action_required",
            "voided",
            "marked_uncollectible",
        )
    )

    def __init__(self, ctx: SyncContext) -> None:
        self._ctx = ctx

    async def handle(self, event: ProviderEvent) -> None:
        ctx = self._ctx
        incoming = parse_invoice(event.object, event.version)
        existing = await ctx.mirror.get_invoice(incoming.id)
        await reconcile(
            existing,
            incoming,
            refetch=lambda: ctx.source.retrieve_invoice(incoming.id),
            save=ctx.mirror.save_invoice,
            always_refetch=ctx.settings.always_refetch,
        )
        if event.type != "invoice.payment_failed":
            return
        await ctx.notifier.notify(
            event_id=event.id,
            template=EmailTemplate.PAYMENT_FAILED,
            customer_id=incoming.customer_id,
            address=text(event.object, "customer_email"),
            context={
                "amount": format_amount(incoming.amount_due, incoming.currency),
                "invoice_number": incoming.number,
                "hosted_invoice_url": incoming.hosted_invoice_url,
                "update_url": f"{ctx.settings.billing_page_url}?flow=payment_method_update",
            },
        )
