"""Billing details in the portal: only the configuration's allowed fields change."""

from __future__ import annotations

from typing import Any

import stripe

from stripe_sandbox.testing import RunningSandbox

from .portal_support import PortalBrowser, events_since, last_event_id, portal_for


def test_allowed_fields_change_and_others_are_ignored(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer, _, session = portal_for(client, plans)  # allowed: email, address
    browser = PortalBrowser(sandbox, session.url)
    browser.get("/billing")
    for shown in ('name="email"', 'name="address_line1"'):
        assert shown in browser.page
    for hidden in ('name="name"', 'name="phone"'):
        assert hidden not in browser.page
    marker = last_event_id(client)
    form = {
        "email": "new@example.com",
        "address_line1": "1 Main St",
        "address_city": "Springfield",
        "address_country": "US",
        "name": "Mallory",
        "phone": "+15550000",
    }
    browser.follow(browser.post("/billing", form))
    assert browser.testid("flash-message") == ["Your billing information has been updated."]
    assert browser.testid("billing-email") == ["new@example.com"]
    changed = client.v1.customers.retrieve(customer.id)
    assert (changed.email, changed.address.line1, changed.address.country) == (
        "new@example.com",
        "1 Main St",
        "US",
    )
    assert (changed.name, changed.phone) == ("Jo", None)
    (event,) = events_since(client, marker)
    assert event.type == "customer.updated"
    assert set(event.data.previous_attributes.to_dict()) == {"email", "address"}


def test_an_invalid_email_is_refused(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer, _, session = portal_for(client, plans)
    browser = PortalBrowser(sandbox, session.url)
    browser.get("/billing")
    refused = browser.post("/billing", {"email": "nope"})
    assert refused.status_code == 400
    assert browser.testid("flash-message", refused.text) == ["Enter a valid email address."]
    assert client.v1.customers.retrieve(customer.id).email == "jo@example.com"
