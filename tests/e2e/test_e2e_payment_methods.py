"""Cards: a new default card, the overdue customer sent straight to their payment method,
and the two-subscription customer whose portal manages payment methods only."""

from __future__ import annotations

import pytest
from e2e_mail import Mailbox
from e2e_pages import BillingPage, long_date
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_customer_adds_a_card_that_becomes_the_default(billing: BillingPage) -> None:
    billing.sign_in("user_enterprise")
    expect(billing.by("payment-method")).to_have_text("Visa ending in 4242 · expires 12/2034")
    inbox = Mailbox(billing.stack.mail_dir, "enterprise@demo.example")

    portal = billing.open_portal()
    portal.by("add-card").click()
    portal.add_card("4242 4242 4242 4242", "08 / 31")
    portal.expect_flash("Your card has been added and is now your default payment method.")
    new_card = portal.card_row("4242", "08/31")
    expect(new_card.get_by_test_id("default-badge")).to_be_visible()
    old_card = portal.card_row("4242", "12/34")
    expect(old_card.get_by_test_id("default-badge")).to_have_count(0)
    expect(old_card.get_by_test_id("make-default")).to_be_visible()
    portal.return_to_app(billing)

    billing.expect_returned_and_synced()
    expect(billing.by("payment-method")).to_have_text("Visa ending in 4242 · expires 08/2031")
    method = billing.summary()["default_payment_method"]
    assert method == {"brand": "visa", "last4": "4242", "exp_month": 8, "exp_year": 2031}
    mail = inbox.wait_for("Your payment method was updated")
    assert "4242" in mail.text


def test_past_due_customer_is_taken_straight_to_their_payment_method(
    billing: BillingPage,
) -> None:
    billing.sign_in("user_past_due")
    sub = billing.only_subscription()
    assert sub["status"] == "past_due"
    card = billing.subscription(sub["id"])
    expect(card.get_by_test_id("subscription-status")).to_have_text("Payment overdue")
    # Not the next period's end: the payment that failed, its amount and when it was due.
    expect(card.get_by_test_id("renewal-date")).to_have_text(
        "Your last payment failed. Update your payment method to keep your subscription."
    )
    failed = sub["latest_invoice"]
    assert (failed["status"], failed["currency"]) == ("open", "usd")
    due = long_date(sub["current_period_start"])
    expect(card.get_by_test_id("overdue-invoice")).to_have_text(
        f"${failed['amount_due'] / 100:.2f} was due on {due}."
    )
    expect(card.get_by_test_id("overdue-invoice-link")).to_have_attribute(
        "href", failed["hosted_invoice_url"]
    )
    expect(billing.by("payment-method")).to_contain_text("Visa ending in 0341")
    expect(billing.by("portal-explanation")).to_contain_text(
        "Your last payment didn't go through: the portal opens on your payment method"
    )
    inbox = Mailbox(billing.stack.mail_dir, "past-due@demo.example")

    # "Manage billing" itself is deep-linked: the portal opens on the card form.
    portal = billing.open_portal()
    expect(portal.by("card-number")).to_be_visible()
    portal.add_card("5555 5555 5555 4444", "10 / 32")
    # The flow completes by sending the customer back to the billing page.
    billing.page.wait_for_url(f"{billing.url}*")

    billing.expect_returned_and_synced()
    expect(billing.by("payment-method")).to_have_text("Mastercard ending in 4444 · expires 10/2032")
    # The portal paid the overdue invoice with the new card: the subscription is active again.
    expect(card.get_by_test_id("subscription-status")).to_have_text("Active")
    expect(card.get_by_test_id("renewal-date")).to_have_text(
        f"Renews on {long_date(sub['current_period_end'])}"
    )
    expect(card.get_by_test_id("overdue-invoice-notice")).to_be_hidden()
    expect(billing.by("portal-explanation")).not_to_contain_text("didn't go through")
    paid_row = billing.page.locator(
        f'[data-testid="invoice-row"]:has([href="{failed["hosted_invoice_url"]}"])'
    )
    expect(paid_row.get_by_test_id("invoice-status")).to_have_text("Paid")
    after = billing.only_subscription()
    assert (after["status"], after["latest_invoice"]["status"]) == ("active", "paid")
    method = billing.summary()["default_payment_method"]
    assert (method["brand"], method["last4"]) == ("mastercard", "4444")
    inbox.wait_for("Your payment method was updated")


def test_two_subscription_customer_only_manages_payment_methods(billing: BillingPage) -> None:
    billing.sign_in("user_two_subs")
    summary = billing.summary()
    assert summary["portal"]["reason"] == "multiple_subscriptions"
    expect(billing.by("subscription")).to_have_count(2)
    expect(billing.by("portal-explanation")).to_contain_text(
        "the portal manages payment methods only"
    )
    expect(billing.by("shortcut-update-payment-method")).to_be_visible()
    expect(billing.by("shortcut-change-plan")).to_be_hidden()
    expect(billing.by("shortcut-cancel-subscription")).to_be_hidden()
    inbox = Mailbox(billing.stack.mail_dir, "two-subs@demo.example")

    portal = billing.open_portal()
    expect(portal.by("portal-plan")).to_have_count(2)
    expect(portal.by("change-plan")).to_have_count(0)
    expect(portal.by("cancel-subscription")).to_have_count(0)
    expect(portal.by("add-card")).to_be_visible()
    expect(portal.by("return-link")).to_have_attribute(
        "href", f"{billing.url}?action=portal_return&multiple_subscriptions=true"
    )
    portal.by("add-card").click()
    portal.add_card("5555555555554444", "11/33")
    portal.expect_flash("Your card has been added and is now your default payment method.")
    portal.by("return-link").click()
    billing.page.wait_for_url(f"{billing.url}?*multiple_subscriptions=true*")

    billing.expect_returned_and_synced()
    expect(billing.by("payment-method")).to_have_text("Mastercard ending in 4444 · expires 11/2033")
    expect(billing.by("subscription")).to_have_count(2)
    after = billing.summary()
    assert after["default_payment_method"]["last4"] == "4444"
    assert {s["id"] for s in after["subscriptions"]} == {s["id"] for s in summary["subscriptions"]}
    inbox.wait_for("Your payment method was updated")
