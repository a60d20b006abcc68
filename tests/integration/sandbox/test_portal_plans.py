"""Changing plan and quantity in the portal: preview, confirm, prorations, events."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from stripe_sandbox.portal.views import day
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


def scheduling(plans: dict[str, Any], *conditions: str) -> dict[str, Any]:
    update = update_feature(plans, "create_prorations", ["price"])
    update["products"] = [
        {"product": plans["basic"].id, "prices": [plans["basic_monthly"].id]},
        {"product": plans["pro"].id, "prices": [plans["pro_monthly"].id, plans["pro_yearly"].id]},
    ]
    update["schedule_at_period_end"] = {"conditions": [{"type": c} for c in conditions]}
    return update


def test_a_downgrade_is_scheduled_for_the_period_end_and_the_clock_applies_it(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    update = scheduling(plans, "decreasing_item_amount")
    _, sub, session = portal_for(
        client, plans, price="pro_monthly", sandbox=sandbox, age_days=10, subscription_update=update
    )
    period_end = sub["items"].data[0].current_period_end
    browser = PortalBrowser(sandbox, session.url)
    marker = last_event_id(client)
    preview, done = preview_and_confirm(browser, sub.id, price=plans["basic_monthly"].id)
    (notice,) = browser.testid("scheduled-change")
    assert notice.startswith(f"Changes to Basic on {day(period_end)}.")
    assert "nothing is charged today" in notice
    assert (preview["due"], preview["next"]) == (0, 900)
    assert browser.testid("proration-lines") == []
    browser.follow(done)
    assert browser.testid("flash-message") == [
        "Your plan will change at the end of the billing period."
    ]
    assert browser.testid("portal-plan") == ["Pro"]
    assert browser.testid("plan-scheduled-change") == [f"Changes to Basic on {day(period_end)}"]
    assert browser.testid("change-plan") == []  # one scheduled change at a time
    scheduled = client.v1.subscriptions.retrieve(sub.id)
    assert scheduled["items"].data[0].price.id == plans["pro_monthly"].id
    schedule = client.v1.subscription_schedules.retrieve(str(scheduled.schedule))
    assert (schedule.status, schedule.subscription, schedule.end_behavior) == (
        "active",
        sub.id,
        "release",
    )
    assert [(p.start_date, p["items"][0].price) for p in schedule.phases] == [
        (sub["items"].data[0].current_period_start, plans["pro_monthly"].id),
        (period_end, plans["basic_monthly"].id),
    ]
    events = events_since(client, marker)
    assert [e.type for e in events] == [
        "subscription_schedule.created",
        "customer.subscription.updated",
        "subscription_schedule.updated",
    ]
    assert events[1].data.previous_attributes.to_dict() == {"schedule": None}
    assert client.v1.invoices.list(params={"subscription": sub.id}).data[0].id == (
        sub.latest_invoice
    )

    marker = events[-1].id
    sandbox.store.advance(days=21)
    renewed = client.v1.subscriptions.retrieve(sub.id, params={"expand": ["latest_invoice"]})
    assert renewed["items"].data[0].price.id == plans["basic_monthly"].id
    assert renewed.schedule is None
    assert renewed.latest_invoice.amount_paid == 900
    events = events_since(client, marker)
    assert [e.type for e in events][-2:] == [
        "customer.subscription.updated",
        "subscription_schedule.completed",
    ]
    previous = events[-2].data.previous_attributes
    assert previous["schedule"] == schedule.id
    assert previous["items"].data[0].price.id == plans["pro_monthly"].id
    assert events[-1].data.object.status == "completed"
    later = client.v1.billing_portal.sessions.create(
        params={"customer": session.customer, "configuration": session.configuration}
    )
    browser = PortalBrowser(sandbox, later.url)
    browser.get()
    assert browser.testid("portal-plan") == ["Basic"]
    assert browser.testid("plan-scheduled-change") == []


def test_an_upgrade_still_applies_now_under_the_same_conditions(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    update = scheduling(plans, "decreasing_item_amount", "shortening_interval")
    _, sub, session = portal_for(client, plans, subscription_update=update)
    browser = PortalBrowser(sandbox, session.url)
    _, done = preview_and_confirm(browser, sub.id, price=plans["pro_monthly"].id)
    assert browser.testid("scheduled-change") == []
    browser.follow(done)
    changed = client.v1.subscriptions.retrieve(sub.id)
    assert (changed["items"].data[0].price.id, changed.schedule) == (plans["pro_monthly"].id, None)


def test_a_shorter_interval_is_scheduled_when_configured(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    update = scheduling(plans, "shortening_interval")
    _, sub, session = portal_for(client, plans, price="pro_yearly", subscription_update=update)
    browser = PortalBrowser(sandbox, session.url)
    preview, done = preview_and_confirm(browser, sub.id, price=plans["pro_monthly"].id)
    assert (preview["due"], preview["next"]) == (0, 2900)
    browser.follow(done)
    scheduled = client.v1.subscriptions.retrieve(sub.id)
    assert scheduled.schedule is not None
    assert scheduled["items"].data[0].price.id == plans["pro_yearly"].id
    year_end = sub["items"].data[0].current_period_end
    sandbox.store.advance(days=366)
    renewed = client.v1.subscriptions.retrieve(sub.id)
    item = renewed["items"].data[0]
    assert (item.price.id, item.current_period_start) == (plans["pro_monthly"].id, year_end)
    assert item.current_period_end - year_end in (28 * 86400, 29 * 86400, 30 * 86400, 31 * 86400)


def test_cancelling_drops_a_scheduled_change(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    update = scheduling(plans, "decreasing_item_amount")
    _, sub, session = portal_for(client, plans, price="pro_monthly", subscription_update=update)
    browser = PortalBrowser(sandbox, session.url)
    _, done = preview_and_confirm(browser, sub.id, price=plans["basic_monthly"].id)
    browser.follow(done)
    schedule_id = str(client.v1.subscriptions.retrieve(sub.id).schedule)
    browser.get(f"/subscriptions/{sub.id}/cancel")
    marker = last_event_id(client)
    browser.follow(browser.post(f"/subscriptions/{sub.id}/cancel", {"reason": "other"}))
    canceled = client.v1.subscriptions.retrieve(sub.id)
    assert (canceled.cancel_at_period_end, canceled.schedule) == (True, None)
    assert client.v1.subscription_schedules.retrieve(schedule_id).status == "released"
    assert [e.type for e in events_since(client, marker)] == [
        "subscription_schedule.released",
        "customer.subscription.updated",
        "customer.subscription.updated",
    ]
