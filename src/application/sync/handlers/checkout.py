"""A checkout completed: the app user it names is linked to its customer (when automatic
linking from checkout is on)."""

from __future__ import annotations

from application.sync.auto_link import AutoLink, checkout_claim
from application.sync.settings import AutoLinkSettings
from domain.billing.events import CheckoutCompleted


class CheckoutEventHandler:
    def __init__(self, auto_link: AutoLink, settings: AutoLinkSettings) -> None:
        self._auto_link, self._settings = auto_link, settings

    async def handle(self, event: CheckoutCompleted) -> None:
        claim = checkout_claim(event, self._settings)
        if claim is not None:
            await self._auto_link.apply(claim)
