"""A new default card in the hosted portal pays what is overdue, as Stripe's portal does.

The seeded ``user_past_due`` customer's renewal failed on its default card (0341); the
portal's "add card" and "make default" retry that open invoice with the new card. The API
never does: changing the default there leaves the subscription past_due.
"""

from __future__ import annotations

from typing import Any

import stripe

from stripe_sandbox.testing import RunningSandbox

from .demo_support import DemoAccount, cards_of, seeded
from .portal_support import PortalBrowser, events_since, last_event_id

CARD = {"expiry": "12 / 34", "cvc": "123"}


def _portal(sandbox: RunningSandbox, client: stripe.StripeClient) -> tuple[DemoAccount, Any]:
    account = seeded(sandbox, client)["user_past_due"]
    assert account.subscription.status == "past_due"
    assert account.invoice.status == "open"
    session = client.v1.billing_portal.sessions.create(
        params={"customer": account.customer_id, "return_url": "https://app.example/account"}
    )
    browser = PortalBrowser(sandbox, session.url)
    browser.get()
    return account, browser


def test_adding_a_working_card_pays_the_overdue_invoice_and_reactivates(
    sandbox: RunningSandbox, client: stripe.StripeClient
) -> None:
    account, browser = _portal(sandbox, client)
    browser.get("/payment-methods/new")
    marker = last_event_id(client)

    added = browser.post("/payment-methods", {"card_number": "4242 4242 4242 4242", **CARD})
    browser.follow(added)

    assert browser.testid("flash-message") == ["Your payment of $9.00 was successful."]
    invoice = client.v1.invoices.retrieve(account.invoice.id)
    assert (invoice.status, invoice.amount_paid, invoice.amount_remaining) == ("paid", 900, 0)
    assert client.v1.subscriptions.retrieve(account.subscription.id).status == "active"
    events = events_since(client, marker)
    assert [e.type for e in events] == [
        "payment_method.attached",
        "customer.updated",
        "invoice.paid",
        "invoice.payment_succeeded",
        "customer.subscription.updated",
    ]
    customer = client.v1.customers.retrieve(account.customer_id)
    assert customer.invoice_settings.default_payment_method == events[0].data.object.id
    assert events[2].data.object.id == account.invoice.id
    assert events[4].data.object.status == "active"
    assert events[4].data.previous_attributes.to_dict() == {"status": "past_due"}


def test_making_an_older_working_card_the_default_pays_too(
    sandbox: RunningSandbox, client: stripe.StripeClient
) -> None:
    account, browser = _portal(sandbox, client)
    [visa] = [
        pm
        for pm in client.v1.payment_methods.list(params={"customer": account.customer_id}).data
        if pm.card.last4 == "4242"
    ]
    marker = last_event_id(client)

    browser.follow(browser.post(f"/payment-methods/{visa.id}/default"))

    assert browser.testid("flash-message") == ["Your payment of $9.00 was successful."]
    assert client.v1.subscriptions.retrieve(account.subscription.id).status == "active"
    assert [e.type for e in events_since(client, marker)] == [
        "customer.updated",
        "invoice.paid",
        "invoice.payment_succeeded",
        "customer.subscription.updated",
    ]


def test_a_card_that_fails_to_charge_leaves_the_subscription_past_due(
    sandbox: RunningSandbox, client: stripe.StripeClient
) -> None:
    account, browser = _portal(sandbox, client)
    attempts = account.invoice.attempt_count
    browser.get("/payment-methods/new")
    marker = last_event_id(client)

    added = browser.post("/payment-methods", {"card_number": "4000 0000 0000 0341", **CARD})
    page = browser.follow(added)

    assert page.status_code == 200
    assert browser.testid("flash-message") == ["Your card was declined."]
    assert 'role="alert" data-testid="flash-message"' in browser.page
    invoice = client.v1.invoices.retrieve(account.invoice.id)
    assert (invoice.status, invoice.amount_paid) == ("open", 0)
    assert invoice.attempt_count == attempts + 1
    assert client.v1.subscriptions.retrieve(account.subscription.id).status == "past_due"
    events = events_since(client, marker)
    assert [e.type for e in events] == [
        "payment_method.attached",
        "customer.updated",
        "invoice.payment_failed",
    ]
    assert events[2].data.object.id == account.invoice.id


def test_a_card_refused_at_attach_attempts_no_payment(
    sandbox: RunningSandbox, client: stripe.StripeClient
) -> None:
    account, browser = _portal(sandbox, client)
    browser.get("/payment-methods/new")
    marker = last_event_id(client)

    refused = browser.post("/payment-methods", {"card_number": "4000000000000002", **CARD})

    assert refused.status_code == 402
    assert browser.testid("flash-message", refused.text) == ["Your card was declined."]
    assert last_event_id(client) == marker
    assert client.v1.invoices.retrieve(account.invoice.id).status == "open"


def test_an_api_change_of_the_default_card_retries_nothing(
    sandbox: RunningSandbox, client: stripe.StripeClient
) -> None:
    account = seeded(sandbox, client)["user_past_due"]
    assert cards_of(client, account.customer_id) == ["0341", "4242"]
    visa = client.v1.payment_methods.attach(
        "pm_card_visa", params={"customer": account.customer_id}
    )
    marker = last_event_id(client)

    client.v1.customers.update(
        account.customer_id, params={"invoice_settings": {"default_payment_method": visa.id}}
    )

    assert [e.type for e in events_since(client, marker)] == ["customer.updated"]
    assert client.v1.invoices.retrieve(account.invoice.id).status == "open"
    assert client.v1.subscriptions.retrieve(account.subscription.id).status == "past_due"
