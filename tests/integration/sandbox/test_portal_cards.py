"""Payment methods in the portal: add test cards, make one the default, remove one."""

from __future__ import annotations

from typing import Any

import stripe

from stripe_sandbox.testing import RunningSandbox

from .portal_support import PortalBrowser, events_since, last_event_id, portal_for

CARD = {"expiry": "12 / 34", "cvc": "123"}


def test_add_a_good_card_makes_it_the_default(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer, _, session = portal_for(client, plans)
    browser = PortalBrowser(sandbox, session.url)
    browser.get("/payment-methods/new")
    assert 'data-testid="card-number"' in browser.page
    marker = last_event_id(client)
    browser.follow(browser.post("/payment-methods", {"card_number": "5555 5555 5555 4444", **CARD}))
    assert browser.testid("flash-message")[0].startswith("Your card has been added")
    default = client.v1.customers.retrieve(customer.id).invoice_settings.default_payment_method
    assert client.v1.payment_methods.retrieve(str(default)).card.last4 == "4444"
    events = events_since(client, marker)
    assert [e.type for e in events] == ["payment_method.attached", "customer.updated"]
    assert "default_payment_method" in events[1].data.previous_attributes["invoice_settings"]
    assert len(browser.testid("make-default")) == 1  # the old card


def test_a_declined_card_is_refused_with_a_clear_message(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer, _, session = portal_for(client, plans)
    browser = PortalBrowser(sandbox, session.url)
    browser.get("/payment-methods/new")
    marker = last_event_id(client)
    declined = browser.post("/payment-methods", {"card_number": "4000000000000002", **CARD})
    assert declined.status_code == 402
    assert browser.testid("flash-message", declined.text) == ["Your card was declined."]
    assert last_event_id(client) == marker
    cards = client.v1.payment_methods.list(params={"customer": customer.id, "type": "card"})
    assert [c.card.last4 for c in cards.data] == ["4242"]
    past = browser.post(
        "/payment-methods", {"card_number": "4242424242424242", "expiry": "01/20", "cvc": "123"}
    )
    assert past.status_code == 400
    assert "expiration date is in the past" in past.text


def test_a_0341_card_attaches_and_later_fails_to_charge(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer, sub, session = portal_for(client, plans)
    browser = PortalBrowser(sandbox, session.url)
    browser.get("/payment-methods/new")
    done = browser.post("/payment-methods", {"card_number": "4000 0000 0000 0341", **CARD})
    browser.follow(done)
    default = client.v1.customers.retrieve(customer.id).invoice_settings.default_payment_method
    assert client.v1.payment_methods.retrieve(str(default)).card.last4 == "0341"
    sandbox.store.advance(days=32)
    assert client.v1.subscriptions.retrieve(sub.id).status == "past_due"


def test_make_default_and_remove(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer, _, session = portal_for(client, plans)
    browser = PortalBrowser(sandbox, session.url)
    browser.get("/payment-methods/new")
    browser.follow(browser.post("/payment-methods", {"card_number": "4242424242424242", **CARD}))
    old = client.v1.payment_methods.list(params={"customer": customer.id}).data
    first = next(pm for pm in old if pm.id != _default(client, customer.id))
    marker = last_event_id(client)
    browser.follow(browser.post(f"/payment-methods/{first.id}/default"))
    assert browser.testid("flash-message") == ["Your default payment method has been updated."]
    assert _default(client, customer.id) == first.id
    (updated,) = events_since(client, marker)
    assert updated.type == "customer.updated"
    refused = browser.post(f"/payment-methods/{first.id}/remove")
    assert refused.status_code == 400
    other = next(pm for pm in old if pm.id != first.id)
    marker = updated.id
    browser.follow(browser.post(f"/payment-methods/{other.id}/remove"))
    assert browser.testid("flash-message") == ["The payment method has been removed."]
    assert [e.type for e in events_since(client, marker)] == ["payment_method.detached"]
    assert len(browser.testid("payment-method")) == 1


def _default(client: stripe.StripeClient, customer_id: str) -> str:
    return str(client.v1.customers.retrieve(customer_id).invoice_settings.default_payment_method)


def test_a_new_default_card_follows_to_subscriptions_with_their_own_default(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer, own, session = portal_for(client, plans)
    first_card = _default(client, customer.id)
    client.v1.subscriptions.update(own.id, params={"default_payment_method": first_card})
    inherits = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": plans["pro_monthly"].id}]}
    )
    ended = client.v1.subscriptions.create(
        params={
            "customer": customer.id,
            "items": [{"price": plans["pro_monthly"].id}],
            "default_payment_method": first_card,
        }
    )
    client.v1.subscriptions.cancel(ended.id)
    browser = PortalBrowser(sandbox, session.url)
    browser.get("/payment-methods/new")
    marker = last_event_id(client)
    browser.follow(browser.post("/payment-methods", {"card_number": "5555 5555 5555 4444", **CARD}))
    new_card = _default(client, customer.id)
    assert new_card != first_card
    assert client.v1.subscriptions.retrieve(own.id).default_payment_method == new_card
    assert client.v1.subscriptions.retrieve(inherits.id).default_payment_method is None
    assert client.v1.subscriptions.retrieve(ended.id).default_payment_method == first_card
    events = events_since(client, marker)
    assert [e.type for e in events] == [
        "payment_method.attached",
        "customer.updated",
        "customer.subscription.updated",
    ]
    assert events[2].data.object.id == own.id
    assert events[2].data.previous_attributes.to_dict() == {"default_payment_method": first_card}

    marker = events[-1].id
    browser.follow(browser.post(f"/payment-methods/{first_card}/default"))
    assert client.v1.subscriptions.retrieve(own.id).default_payment_method == first_card
    assert [e.type for e in events_since(client, marker)] == [
        "customer.updated",
        "customer.subscription.updated",
    ]
