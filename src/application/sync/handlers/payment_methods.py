"""A payment method was attached, detached or updated; a new default card gets an email."""

from __future__ import annotations

import dataclasses

from application.ports.billing_mirror import BillingMirror
from application.sync.default_card import DefaultCardNotice
from application.sync.provider_reads import ProviderReads
from application.sync.reconcile import reconcile
from application.sync.settings import SyncSettings
from domain.billing.events import PaymentMethodChanged, PaymentMethodMoment
from domain.billing.notifications import attached_default_card


class PaymentMethodEventHandler:
    def __init__(
        self,
        mirror: BillingMirror,
        reads: ProviderReads,
        default_card: DefaultCardNotice,
        settings: SyncSettings,
    ) -> None:
        self._mirror, self._reads = mirror, reads
        self._default_card, self._settings = default_card, settings

    async def handle(self, event: PaymentMethodChanged) -> None:
        incoming = event.payment_method
        existing = await self._mirror.get_payment_method(incoming.id)
        detached = event.moment is PaymentMethodMoment.DETACHED
        if detached and incoming.customer_id is None and existing is not None:
            # A detached payment method no longer names its customer; keep whose it was.
            incoming = dataclasses.replace(incoming, customer_id=existing.customer_id)
        await reconcile(
            existing,
            incoming,
            refetch=lambda: self._reads.payment_method(incoming.id),
            save=self._mirror.save_payment_method,
            always_refetch=self._settings.always_refetch,
        )
        customer_id = incoming.customer_id
        if customer_id is None:
            return
        card = attached_default_card(event, await self._mirror.get_customer(customer_id))
        if card is not None:
            await self._default_card.send(
                event_id=event.envelope.id, customer_id=customer_id, payment_method_id=card
            )
