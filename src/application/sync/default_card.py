"""The email for a card that became a customer's default, whichever event told it."""

from __future__ import annotations

from application.ports.billing_event_source import BillingEventSource
from application.ports.billing_mirror import BillingMirror
from application.sync.notifier import Notifier
from domain.billing.notifications import card_updated_email


class DefaultCardNotice:
    """``customer.updated`` and ``payment_method.attached`` often both report one new
    default card: the email's key (customer, card) makes it one message."""

    def __init__(self, mirror: BillingMirror, source: BillingEventSource, notifier: Notifier):
        self._mirror, self._source, self._notifier = mirror, source, notifier

    async def send(self, *, event_id: str, customer_id: str, payment_method_id: str) -> None:
        method = await self._mirror.get_payment_method(payment_method_id)
        if method is None:
            method = await self._source.retrieve_payment_method(payment_method_id)
        if method is None:
            return
        await self._notifier.send(card_updated_email(customer_id, method), event_id=event_id)
