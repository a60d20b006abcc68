"""Customers the policy sends elsewhere than the portal (pay first, reactivate), and the
invoice downloads every customer has."""

from __future__ import annotations

import pytest
from e2e_mail import Mailbox
from e2e_pages import NAVIGATION_TIMEOUT_MS, SYNC_TIMEOUT_MS, BillingPage
from e2e_stack import wait_until
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_incomplete_customer_pays_the_open_invoice_and_becomes_active(
    billing: BillingPage,
) -> None:
    billing.sign_in("user_incomplete")
    summary = billing.summary()
    (sub,) = summary["subscriptions"]
    assert (sub["status"], summary["portal"]["reason"]) == ("incomplete", "incomplete_payment")
    open_invoice = next(
        i for i in billing.api("/api/billing/invoices")["data"] if i["status"] == "open"
    )
    expect(billing.subscription(sub["id"]).get_by_test_id("subscription-status")).to_have_text(
        "Awaiting payment"
    )
    expect(billing.by("portal-explanation")).to_have_text(
        "Your subscription is waiting for its first payment. Complete the payment to start it."
    )
    expect(billing.by("portal-shortcuts")).to_be_hidden()
    inbox = Mailbox(billing.stack.mail_dir, "incomplete@demo.example")

    billing.by("manage-billing").click()
    expect(billing.by("status-message")).to_contain_text("Taking you there")
    expect(billing.by("redirect-link")).to_have_text("Complete payment")
    billing.page.wait_for_url(open_invoice["hosted_invoice_url"], timeout=NAVIGATION_TIMEOUT_MS)

    expect(billing.page.get_by_test_id("invoice-number")).to_have_text(open_invoice["number"])
    expect(billing.page.get_by_test_id("invoice-status")).to_have_text("open")
    expect(billing.page.get_by_test_id("amount-due")).to_have_text("$29.00")
    assert billing.summary()["subscriptions"][0]["status"] == "incomplete"

    # The customer pays on the hosted invoice page, then goes back to the billing page.
    hosted = billing.page
    hosted.get_by_test_id("pay-card-number").fill("4242 4242 4242 4242")
    hosted.get_by_test_id("pay-exp").fill("12 / 34")
    hosted.get_by_test_id("pay-cvc").fill("123")
    hosted.get_by_test_id("pay-invoice").click()
    expect(hosted.get_by_test_id("pay-message")).to_have_text(
        "Your payment of $29.00 was successful."
    )
    expect(hosted.get_by_test_id("invoice-status")).to_have_text("paid")
    wait_until(
        lambda: billing.summary()["subscriptions"][0]["status"] == "active",
        timeout=SYNC_TIMEOUT_MS / 1000,
        what="the webhook making the subscription active in the mirror",
    )
    billing.page.goto(billing.url)

    billing.expect_dashboard_of("user_incomplete")
    card = billing.subscription(sub["id"])
    expect(card.get_by_test_id("subscription-status")).to_have_text("Active")
    expect(card.get_by_test_id("renewal-date")).to_contain_text("Renews on")
    expect(billing.by("manage-billing")).to_have_text("Manage billing")
    expect(billing.by("portal-explanation")).to_contain_text("In the billing portal you can")
    row = billing.page.locator(
        f'[data-testid="invoice-row"][data-invoice-id="{open_invoice["id"]}"]'
    )
    expect(row.get_by_test_id("invoice-status")).to_have_text("Paid")
    after = billing.summary()
    assert (after["portal"]["action"], after["subscriptions"][0]["latest_invoice"]["status"]) == (
        "portal",
        "paid",
    )
    assert [m.subject for m in inbox.new_messages()] == []


def test_expired_customer_is_sent_to_reactivate(billing: BillingPage) -> None:
    billing.sign_in("user_canceled")
    summary = billing.summary()
    (sub,) = summary["subscriptions"]
    assert (sub["status"], summary["portal"]["reason"]) == ("canceled", "subscriptions_ended")
    card = billing.subscription(sub["id"])
    expect(card.get_by_test_id("subscription-status")).to_have_text("Canceled")
    expect(card.get_by_test_id("renewal-date")).to_contain_text("Ended on")
    expect(billing.by("manage-billing")).to_have_text("Reactivate")
    expect(billing.by("portal-explanation")).to_have_text(
        "Your subscription has ended. Reactivate it to get your access back."
    )
    inbox = Mailbox(billing.stack.mail_dir, "canceled@demo.example")

    billing.by("manage-billing").click()
    expect(billing.by("redirect-link")).to_have_text("Reactivate")
    billing.page.wait_for_url(f"{billing.stack.app_url}/reactivate", timeout=NAVIGATION_TIMEOUT_MS)

    expect(billing.by("placeholder-reactivate")).to_be_visible()
    billing.by("placeholder-back").click()
    billing.expect_dashboard_of("user_canceled")
    assert billing.summary()["subscriptions"][0]["status"] == "canceled"
    assert inbox.new_messages() == []


def test_customer_downloads_an_invoice_pdf(billing: BillingPage) -> None:
    billing.sign_in("user_enterprise")
    invoices = billing.api("/api/billing/invoices")["data"]
    assert invoices, "the enterprise demo customer has paid invoices"
    newest = invoices[0]
    row = billing.page.locator(f'[data-testid="invoice-row"][data-invoice-id="{newest["id"]}"]')
    expect(row.get_by_test_id("invoice-number")).to_have_text(newest["number"])
    expect(row.get_by_test_id("invoice-status")).to_have_text("Paid")
    pdf_link = row.get_by_test_id("invoice-pdf-link")
    expect(pdf_link).to_have_attribute("href", newest["invoice_pdf"])

    with billing.page.expect_popup() as opened:
        row.get_by_test_id("invoice-view-link").click()
    hosted = opened.value
    expect(hosted.get_by_test_id("invoice-number")).to_have_text(newest["number"])
    expect(hosted.get_by_test_id("invoice-status")).to_have_text("paid")
    hosted.close()

    # The PDF link opens the PDF (Chromium's viewer) in a new tab.
    is_the_pdf = lambda response: response.url == newest["invoice_pdf"]  # noqa: E731
    with (
        billing.page.context.expect_event("response", is_the_pdf) as answered,
        billing.page.expect_popup() as opened,
    ):
        pdf_link.click()
    shown = answered.value
    assert shown.ok
    assert shown.headers["content-type"].startswith("application/pdf")
    opened.value.close()
    # The viewer replaces the body it hands back, so read the bytes again.
    pdf = billing.page.request.get(newest["invoice_pdf"])
    assert pdf.body().startswith(b"%PDF-")
