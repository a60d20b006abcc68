"""What every handler needs, built once by ``ProcessEvent``."""

from __future__ import annotations

from dataclasses import dataclass

from application.ports.billing_audit_log import BillingAuditLog
from application.ports.billing_event_source import BillingEventSource
from application.ports.billing_mirror import BillingMirror
from application.ports.clock import Clock
from application.ports.configuration_mappings import ConfigurationMappings
from application.sync.notifier import EmailTemplate, Notifier
from application.sync.settings import SyncSettings


@dataclass(frozen=True, slots=True)
class SyncContext:
    mirror: BillingMirror
    source: BillingEventSource
    notifier: Notifier
    mappings: ConfigurationMappings
    audit: BillingAuditLog
    clock: Clock
    settings: SyncSettings


async def notify_default_payment_method(
    ctx: SyncContext, event_id: str, customer_id: str, payment_method_id: str
) -> None:
    """One email per card that becomes the customer's default, whichever event told us
    (``customer.updated`` and ``payment_method.attached`` often both do)."""
    method = await ctx.mirror.get_payment_method(payment_method_id)
    if method is None:
        method = await ctx.source.retrieve_payment_method(payment_method_id)
    if method is None:
        return
    await ctx.notifier.notify(
        event_id=event_id,
        template=EmailTemplate.PAYMENT_METHOD_UPDATED,
        customer_id=customer_id,
        key=f"{customer_id}:{payment_method_id}:{EmailTemplate.PAYMENT_METHOD_UPDATED}",
        context={
            "payment_method": method.label,
            "brand": method.brand,
            "last4": method.last4,
            "exp_month": method.exp_month,
            "exp_year": method.exp_year,
        },
    )
