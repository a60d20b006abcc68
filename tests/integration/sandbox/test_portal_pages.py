"""The portal homepage: what a configuration shows, expiry, CSRF."""

from __future__ import annotations

from typing import Any

import httpx
import stripe

from stripe_sandbox.testing import RunningSandbox

from .portal_support import PortalBrowser, last_event_id, portal_for


def test_homepage_shows_plan_cards_billing_and_invoices(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    _, sub, session = portal_for(client, plans, price="pro_monthly")
    browser = PortalBrowser(sandbox, session.url)
    response = browser.get()
    assert response.status_code == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    assert browser.testid("business-name") == ["Sandbox SaaS"]
    assert browser.testid("headline") == ["Acme billing"]
    assert browser.testid("portal-plan") == ["Pro"]
    assert browser.testid("plan-price") == ["$29.00 / month"]
    assert browser.testid("plan-status") == ["active"]
    assert browser.testid("plan-renewal")[0].startswith("Renews on ")
    assert browser.testid("change-plan") == ["Update plan"]
    assert browser.testid("cancel-subscription") == ["Cancel plan"]
    assert browser.testid("return-link") == ["← Return to Sandbox SaaS"]
    assert 'href="https://app.example/account"' in browser.page
    assert [c.split(" Expires")[0] for c in browser.testid("payment-method")] == ["Visa •••• 4242"]
    assert browser.testid("billing-email") == ["jo@example.com"]
    assert browser.testid("billing-name") == []  # not in allowed_updates
    invoice = client.v1.invoices.retrieve(str(sub.latest_invoice))
    assert browser.testid("invoice-link") == [invoice.number]
    assert f'href="{invoice.hosted_invoice_url}"' in browser.page
    assert f'href="{invoice.invoice_pdf}"' in browser.page
    assert httpx.get(invoice.hosted_invoice_url).status_code == 200
    css = browser.http.get("/p/static/portal.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")


def test_a_configuration_shows_only_what_it_enables(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    _, sub, session = portal_for(
        client,
        plans,
        subscription_update={"enabled": False},
        invoice_history={"enabled": False},
        payment_method_update={"enabled": False},
        customer_update={"enabled": False},
    )
    browser = PortalBrowser(sandbox, session.url)
    assert browser.get().status_code == 200
    assert browser.testid("portal-plan") == ["Basic"]
    assert browser.testid("cancel-subscription") == ["Cancel plan"]
    for absent in ("change-plan", "invoice-link", "add-card", "billing-details"):
        assert browser.testid(absent) == [], absent
    assert browser.get(f"/subscriptions/{sub.id}/update").status_code == 404
    assert browser.get("/payment-methods/new").status_code == 404
    assert browser.get("/billing").status_code == 404


def test_expired_and_unknown_sessions_say_so(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    _, _, session = portal_for(client, plans)
    browser = PortalBrowser(sandbox, session.url)
    sandbox.store.advance(seconds=301)
    response = browser.get()
    assert response.status_code == 410
    assert browser.testid("session-expired") == ["This session has expired"]
    assert browser.testid("return-link") == ["Return to Sandbox SaaS"]
    unknown = httpx.get(sandbox.url + "/p/session/nope")
    assert unknown.status_code == 404
    assert "This session has expired" in unknown.text


def test_a_visited_session_stays_usable_then_expires(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    _, _, session = portal_for(client, plans)
    browser = PortalBrowser(sandbox, session.url)
    assert browser.get().status_code == 200
    sandbox.store.advance(seconds=30 * 60)
    assert browser.get().status_code == 200
    sandbox.store.advance(seconds=2 * 3600)
    assert browser.get().status_code == 410


def test_a_forged_csrf_token_is_refused_and_changes_nothing(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    _, sub, session = portal_for(client, plans)
    browser = PortalBrowser(sandbox, session.url)
    browser.get(f"/subscriptions/{sub.id}/cancel")
    marker = last_event_id(client)
    forged = browser.post(
        f"/subscriptions/{sub.id}/cancel", {"csrf_token": "forged", "reason": "other"}
    )
    assert forged.status_code == 403
    missing = browser.http.post(browser.home + f"/subscriptions/{sub.id}/cancel", data={})
    assert missing.status_code == 403
    assert client.v1.subscriptions.retrieve(sub.id).cancel_at_period_end is False
    assert last_event_id(client) == marker
