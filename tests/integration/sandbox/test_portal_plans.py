"""Changing plan and quantity in the portal: preview, confirm, prorations, events."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from stripe_sandbox.testing import RunningSandbox

from .portal_support import PortalBrowser, events_since, last_event_id, portal_for


def update_feature(plans: dict[str, Any], behavior: str, allowed: list[str]) -> dict[str, Any]:
    return {
        "enabled": True,
        "default_allowed_updates": allowed,
        "proration_behavior": behavior,
        "products": [
            {"product": plans["basic"].id, "prices": [plans["basic_monthly"].id]},
            {"product": plans["pro"].id, "prices": [plans["pro_monthly"].id]},
        ],
    }


def preview_and_confirm(
    browser: PortalBrowser, sub_id: str, **choice: Any
) -> tuple[dict[str, int], Any]:
    """Pick a plan, read the preview, confirm; returns the preview and the redirect."""
    assert browser.get(f"/subscriptions/{sub_id}/update").status_code == 200
    assert browser.get(f"/subscriptions/{sub_id}/update/confirm", **choice).status_code == 200
    numbers = {"due": browser.amount("due-today"), "next": browser.amount("next-invoice")}
    return numbers, browser.post(f"/subscriptions/{sub_id}/update", _hidden(browser.page))


def _hidden(page: str) -> dict[str, str]:
    import re

    return dict(
        re.findall(r'type="hidden" name="(price|quantity|proration_date)" value="([^"]*)"', page)
    )


@pytest.mark.parametrize("behavior", ["create_prorations", "always_invoice", "none"])
def test_change_plan_with_each_proration_behavior(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any], behavior: str
) -> None:
    update = update_feature(plans, behavior, ["price"])
    _, sub, session = portal_for(
        client, plans, sandbox=sandbox, age_days=10, subscription_update=update
    )
    browser = PortalBrowser(sandbox, session.url)
    browser.get()
    assert browser.testid("change-plan") == ["Update plan"]
    marker = last_event_id(client)
    preview, done = preview_and_confirm(browser, sub.id, price=plans["pro_monthly"].id)
    browser.follow(done)
    assert browser.testid("flash-message") == ["Your plan has been updated."]
    assert browser.testid("portal-plan") == ["Pro"]
    changed = client.v1.subscriptions.retrieve(sub.id)
    assert changed["items"].data[0].price.id == plans["pro_monthly"].id
    events = events_since(client, marker)
    updated = [e for e in events if e.type == "customer.subscription.updated"]
    assert len(updated) == 1
    assert "items" in updated[0].data.previous_attributes
    invoice_events = [e.type for e in events if e.type.startswith("invoice.")]
    if behavior == "always_invoice":
        assert invoice_events == [
            "invoice.created",
            "invoice.finalized",
            "invoice.paid",
            "invoice.payment_succeeded",
        ]
        invoice = client.v1.invoices.retrieve(str(changed.latest_invoice))
        assert invoice.billing_reason == "subscription_update"
        assert 0 < preview["due"] == invoice.amount_due < 2000
    else:
        assert invoice_events == []
        assert preview["due"] == 0
    sandbox.store.advance(days=25)
    renewal = client.v1.invoices.retrieve(
        str(client.v1.subscriptions.retrieve(sub.id).latest_invoice)
    )
    assert renewal.billing_reason == "subscription_cycle"
    assert renewal.amount_due == preview["next"]
    if behavior == "create_prorations":
        assert 2900 < preview["next"] < 2900 + 2000
    else:
        assert preview["next"] == 2900


def test_quantity_change_only_where_the_configuration_allows_it(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    update = update_feature(plans, "create_prorations", ["price"])
    _, sub, session = portal_for(client, plans, subscription_update=update)
    browser = PortalBrowser(sandbox, session.url)
    browser.get(f"/subscriptions/{sub.id}/update")
    assert 'data-testid="quantity"' not in browser.page
    marker = last_event_id(client)
    refused = browser.post(
        f"/subscriptions/{sub.id}/update", {"price": plans["basic_monthly"].id, "quantity": "3"}
    )
    assert refused.status_code == 400
    assert browser.testid("flash-message", refused.text) == [
        "Changing the quantity is not available."
    ]
    assert client.v1.subscriptions.retrieve(sub.id)["items"].data[0].quantity == 1
    assert last_event_id(client) == marker


def test_quantity_change_when_allowed(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    update = update_feature(plans, "always_invoice", ["price", "quantity"])
    _, sub, session = portal_for(client, plans, subscription_update=update)
    browser = PortalBrowser(sandbox, session.url)
    marker = last_event_id(client)
    preview, done = preview_and_confirm(
        browser, sub.id, price=plans["basic_monthly"].id, quantity="3"
    )
    browser.follow(done)
    assert browser.testid("plan-quantity") == ["Quantity: 3"]
    changed = client.v1.subscriptions.retrieve(sub.id)
    assert changed["items"].data[0].quantity == 3
    invoice = client.v1.invoices.retrieve(str(changed.latest_invoice))
    assert invoice.amount_due == preview["due"] > 0
    types = [e.type for e in events_since(client, marker)]
    assert types.count("customer.subscription.updated") == 1
    assert "invoice.paid" in types


def test_a_plan_outside_the_configuration_is_refused(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    update = update_feature(plans, "create_prorations", ["price"])
    _, sub, session = portal_for(client, plans, subscription_update=update)
    browser = PortalBrowser(sandbox, session.url)
    browser.get(f"/subscriptions/{sub.id}/update")
    offered = browser.testid("plan-option")
    assert offered == ["Basic ($9.00 / month) Current", "Pro ($29.00 / month)"]
    refused = browser.post(f"/subscriptions/{sub.id}/update", {"price": plans["pro_yearly"].id})
    assert refused.status_code == 400
    assert client.v1.subscriptions.retrieve(sub.id)["items"].data[0].price.id == (
        plans["basic_monthly"].id
    )
