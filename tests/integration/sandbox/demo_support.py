"""The seeded demo over HTTP: a demo customer's subscription and its open invoice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import stripe

from stripe_sandbox.testing import RunningSandbox


@dataclass(frozen=True)
class DemoAccount:
    customer_id: str
    subscription: Any
    """The customer's only subscription, ``latest_invoice`` expanded."""

    @property
    def invoice(self) -> Any:
        return self.subscription.latest_invoice


def seeded(sandbox: RunningSandbox, client: stripe.StripeClient) -> dict[str, DemoAccount]:
    """Seed the demo (``POST /_sandbox/seed``); each demo user's account, by user id."""
    response = httpx.post(f"{sandbox.url}/_sandbox/seed")
    response.raise_for_status()
    accounts = {}
    for record in response.json()["records"]:
        customer_id = record["customer_id"]
        subs = client.v1.subscriptions.list(
            params={"customer": customer_id, "status": "all", "expand": ["data.latest_invoice"]}
        ).data
        if len(subs) == 1:
            accounts[record["user_id"]] = DemoAccount(customer_id, subs[0])
    return accounts


def cards_of(client: stripe.StripeClient, customer_id: str) -> list[str]:
    """The last four digits of the customer's cards, sorted."""
    found = client.v1.payment_methods.list(params={"customer": customer_id, "type": "card"})
    return sorted(str(pm.card.last4) for pm in found.data)
