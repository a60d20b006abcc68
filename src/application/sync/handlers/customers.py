"""A customer was created, updated or deleted; a new default card gets an email; metadata
naming an app user links it (when automatic linking from metadata is on)."""

from __future__ import annotations

import dataclasses

from application.ports.billing_mirror import BillingMirror
from application.sync.auto_link import AutoLink, metadata_claim
from application.sync.default_card import DefaultCardNotice
from application.sync.provider_reads import ProviderReads
from application.sync.reconcile import reconcile
from application.sync.settings import AutoLinkSettings, SyncSettings
from domain.billing.events import Change, CustomerChanged
from domain.billing.notifications import new_default_card


class CustomerEventHandler:
    def __init__(
        self,
        mirror: BillingMirror,
        reads: ProviderReads,
        default_card: DefaultCardNotice,
        settings: SyncSettings,
        auto_link: AutoLink,
        auto_link_settings: AutoLinkSettings,
    ) -> None:
        self._mirror, self._reads = mirror, reads
        self._default_card, self._settings = default_card, settings
        self._auto_link, self._auto_link_settings = auto_link, auto_link_settings

    async def handle(self, event: CustomerChanged) -> None:
        incoming = event.customer
        if event.change is Change.DELETED:
            incoming = dataclasses.replace(incoming, deleted=True)
        existing = await self._mirror.get_customer(incoming.id)
        reconciled = await reconcile(
            existing,
            incoming.keeping_tax_ids_of(existing),
            refetch=lambda: self._reads.customer(incoming.id),
            save=self._mirror.save_customer,
            always_refetch=self._settings.always_refetch,
        )
        if event.change is Change.CREATED:
            # We see the customer from its first moment: every subscription it will have
            # reaches the mirror as an event, so the mirror can answer for all of them.
            at = event.envelope.version.at
            await self._mirror.mark_subscriptions_complete([incoming.id], at=at)
        # Only the state that won the ordering rule links: an older event's metadata (its
        # segment) never undoes a newer one's, and a refetched state carries Stripe's latest.
        won = reconciled.now if reconciled.applied else None
        claim = metadata_claim(won, self._auto_link_settings) if won is not None else None
        if claim is not None:
            await self._auto_link.apply(claim)
        card = new_default_card(event)
        if card is not None:
            await self._default_card.send(
                event_id=event.envelope.id, customer_id=incoming.id, payment_method_id=card
            )
