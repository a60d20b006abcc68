"""``payment_method.attached/detached/updated/automatically_updated``."""

from __future__ import annotations

import dataclasses

from application.sync.events import ProviderEvent
from application.sync.handlers.context import SyncContext, notify_default_payment_method
from application.sync.parsers import parse_payment_method
from application.sync.reconcile import reconcile


class PaymentMethodEvents:
    TYPES = (
        "payment_method.attached",
        "payment_method.detached",
        "payment_method.updated",
        "payment_method.automatically_updated",
    )

    def __init__(self, ctx: SyncContext) -> None:
        self._ctx = ctx

    async def handle(self, event: ProviderEvent) -> None:
        ctx = self._ctx
        detached = event.type == "payment_method.detached"
        incoming = parse_payment_method(event.object, event.version, detached=detached)
        existing = await ctx.mirror.get_payment_method(incoming.id)
        if detached and incoming.customer_id is None and existing is not None:
            # Stripe's detached payload no longer names the customer; keep whose it was.
            incoming = dataclasses.replace(incoming, customer_id=existing.customer_id)
        await reconcile(
            existing,
            incoming,
            refetch=lambda: ctx.source.retrieve_payment_method(incoming.id),
            save=ctx.mirror.save_payment_method,
            always_refetch=ctx.settings.always_refetch,
        )
        if event.type == "payment_method.attached" and incoming.customer_id:
            customer = await ctx.mirror.get_customer(incoming.customer_id)
            if customer is not None and customer.default_payment_method_id == incoming.id:
                await notify_default_payment_method(
                    ctx, event.id, incoming.customer_id, incoming.id
                )
