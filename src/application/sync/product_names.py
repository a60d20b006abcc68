"""Plan names: the products behind a subscription's prices, from the mirror or the provider."""

from __future__ import annotations

from collections.abc import Mapping

from application.ports.billing_event_source import BillingEventSource
from application.ports.billing_mirror import BillingMirror
from domain.billing.subscription import MirroredSubscription


class ProductNames:
    """The provider's webhooks never expand a price's product and most prices have no
    nickname, so plans are named after their products. A product the mirror does not hold
    yet is read from the provider once and mirrored (then ``product.*`` events keep it)."""

    def __init__(self, mirror: BillingMirror, source: BillingEventSource) -> None:
        self._mirror, self._source = mirror, source

    async def of(self, subscription: MirroredSubscription) -> Mapping[str, str]:
        wanted = subscription.product_ids()
        names = dict(await self._mirror.product_names(wanted))
        for product_id in sorted(wanted - names.keys()):
            if await self._mirror.get_product(product_id) is not None:
                continue  # mirrored, but without a name
            fetched = await self._source.retrieve_product(product_id)
            if fetched is None:
                continue
            await self._mirror.save_product(fetched)  # nothing held: any read is newer
            if fetched.name:
                names[product_id] = fetched.name
        return names
