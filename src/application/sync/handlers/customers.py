"""``customer.created``, ``customer.updated``, ``customer.deleted``."""

from __future__ import annotations

import dataclasses

from application.sync.events import ProviderEvent
from application.sync.handlers.context import SyncContext, notify_default_payment_method
from application.sync.json_fields import reference, section
from application.sync.parsers import parse_customer
from application.sync.reconcile import reconcile


class CustomerEvents:
    TYPES = ("customer.created", "customer.updated", "customer.deleted")

    def __init__(self, ctx: SyncContext) -> None:
        self._ctx = ctx

    async def handle(self, event: ProviderEvent) -> None:
        ctx = self._ctx
        incoming = parse_customer(event.object, event.version)
        if event.type == "customer.deleted":
            incoming = dataclasses.replace(incoming, deleted=True)
        existing = await ctx.mirror.get_customer(incoming.id)
        await reconcile(
            existing,
            incoming,
            refetch=lambda: ctx.source.retrieve_customer(incoming.id),
            save=ctx.mirror.save_customer,
            always_refetch=ctx.settings.always_refetch,
        )
        previous_settings = section(event.previous, "invoice_settings")
        if event.type == "customer.updated" and "default_payment_method" in previous_settings:
            new_default = reference(
                section(event.object, "invoice_settings"), "default_payment_method"
            )
            old_default = reference(previous_settings, "default_payment_method")
            if new_default and new_default != old_default:
                await notify_default_payment_method(ctx, event.id, incoming.id, new_default)
