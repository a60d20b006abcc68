"""An invoice changed: mirror it; a failed payment gets an email with a way to fix it."""

from __future__ import annotations

from application.ports.billing_mirror import BillingMirror
from application.sync.notifier import Notifier
from application.sync.provider_reads import ProviderReads
from application.sync.reconcile import reconcile
from application.sync.settings import SyncSettings
from domain.billing.events import InvoiceChanged
from domain.billing.notifications import invoice_emails


class InvoiceEventHandler:
    def __init__(
        self,
        mirror: BillingMirror,
        reads: ProviderReads,
        notifier: Notifier,
        settings: SyncSettings,
    ) -> None:
        self._mirror, self._reads = mirror, reads
        self._notifier, self._settings = notifier, settings

    async def handle(self, event: InvoiceChanged) -> None:
        incoming = event.invoice
        await reconcile(
            await self._mirror.get_invoice(incoming.id),
            incoming,
            refetch=lambda: self._reads.invoice(incoming.id),
            save=self._mirror.save_invoice,
            always_refetch=self._settings.always_refetch,
        )
        for email in invoice_emails(event, billing_page_url=self._settings.billing_page_url):
            await self._notifier.send(email, event_id=event.envelope.id)
