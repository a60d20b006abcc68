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


def test_tax_ids_are_added_and_removed_when_allowed(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    allowed = {"enabled": True, "allowed_updates": ["email", "tax_id"]}
    customer, _, session = portal_for(client, plans, customer_update=allowed)
    browser = PortalBrowser(sandbox, session.url)
    browser.get()
    assert browser.testid("billing-tax-ids") == ["—"]
    browser.get("/billing")
    assert browser.testid("no-tax-id") == ["No tax ID on file."]
    marker = last_event_id(client)
    added = {"tax_id_type": "eu_vat", "tax_id_value": "de 123 456 789"}
    browser.follow(browser.post("/billing/tax-ids", added))
    assert browser.testid("flash-message") == ["Your tax ID has been added."]
    assert browser.testid("billing-tax-ids") == ["DE123456789"]
    (vat,) = client.v1.customers.tax_ids.list(customer.id).data
    assert (vat.type, vat.value, vat.country) == ("eu_vat", "DE123456789", "DE")
    (event,) = events_since(client, marker)
    assert (event.type, event.data.object.id) == ("customer.tax_id.created", vat.id)

    browser.get("/billing")
    marker = event.id
    refused = browser.post("/billing/tax-ids", {"tax_id_type": "us_ein", "tax_id_value": "12-34"})
    assert refused.status_code == 400
    assert browser.testid("flash-message", refused.text) == [
        "Enter a valid US EIN, such as 12-3456789."
    ]
    assert 'value="12-34"' in refused.text  # what was typed is kept
    assert last_event_id(client) == marker
    browser.follow(
        browser.post("/billing/tax-ids", {"tax_id_type": "us_ein", "tax_id_value": "123456789"})
    )
    browser.get("/billing")
    assert browser.testid("tax-id") == [
        "EU VAT number DE123456789 Remove (DE123456789)",
        ("US EIN 12-3456789 Remove (12-3456789)"),
    ]
    other = client.v1.customers.create(params={"email": "other@example.com"})
    theirs = client.v1.customers.tax_ids.create(
        other.id, params={"type": "eu_vat", "value": "FR12345678901"}
    )
    marker = last_event_id(client)
    assert browser.post(f"/billing/tax-ids/{theirs.id}/remove").status_code == 404
    assert last_event_id(client) == marker
    browser.follow(browser.post(f"/billing/tax-ids/{vat.id}/remove"))
    assert browser.testid("flash-message") == ["Your tax ID has been removed."]
    assert browser.testid("billing-tax-ids") == ["12-3456789"]
    (event,) = events_since(client, marker)
    assert (event.type, event.data.object.id) == ("customer.tax_id.deleted", vat.id)
    assert [t.value for t in client.v1.customers.tax_ids.list(customer.id).data] == ["12-3456789"]


def test_tax_ids_are_not_offered_unless_allowed(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer, _, session = portal_for(client, plans)  # allowed: email, address
    other = client.v1.customers.create(params={"email": "other@example.com"})
    theirs = client.v1.customers.tax_ids.create(
        other.id, params={"type": "eu_vat", "value": "FR12345678901"}
    )
    browser = PortalBrowser(sandbox, session.url)
    browser.get("/billing")
    assert 'name="tax_id_value"' not in browser.page
    marker = last_event_id(client)
    refused = browser.post(
        "/billing/tax-ids", {"tax_id_type": "eu_vat", "tax_id_value": "DE1234567"}
    )
    assert refused.status_code == 404
    assert browser.post(f"/billing/tax-ids/{theirs.id}/remove").status_code == 404
    assert last_event_id(client) == marker
    assert client.v1.customers.tax_ids.list(customer.id).data == []
    assert [t.id for t in client.v1.customers.tax_ids.list(other.id).data] == [theirs.id]
