"""Plan change, cancellation at period end and its undo: from the billing page through the
hosted portal and back, then the page, the mirror and the email the customer gets."""

from __future__ import annotations

import pytest
from e2e_mail import Mailbox
from e2e_pages import UP_TO_DATE, BillingPage, email_date, long_date
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_b2c_customer_changes_from_basic_to_pro_monthly(billing: BillingPage) -> None:
    billing.sign_in("user_b2c")
    before = billing.only_subscription()
    card = billing.subscription(before["id"])
    expect(card.get_by_test_id("plan-name")).to_have_text("Basic monthly")
    expect(billing.by("shortcut-change-plan")).to_be_visible()
    inbox = Mailbox(billing.stack.mail_dir, "b2c@demo.example")

    portal = billing.open_portal()
    expect(portal.by("portal-plan")).to_have_text("Basic")
    portal.by("change-plan").click()
    portal.by("plan-option").filter(has_text="Pro ($29.00 / month)").click()
    portal.by("preview-change").click()
    expect(portal.by("new-plan")).to_have_text("Pro")
    portal.by("confirm-change").click()
    portal.expect_flash("Your plan has been updated.")
    expect(portal.by("portal-plan")).to_have_text("Pro")
    portal.return_to_app(billing)

    billing.expect_returned_and_synced()
    expect(card.get_by_test_id("plan-name")).to_have_text("Pro monthly")
    expect(card.get_by_test_id("subscription-status")).to_have_text("Active")
    after = billing.only_subscription()
    assert (after["id"], after["plan_name"], after["status"]) == (
        before["id"],
        "Pro monthly",
        "active",
    )
    assert after["price_id"] != before["price_id"]
    mail = inbox.wait_for("Your plan has changed")
    assert "Pro" in mail.text


def test_b2b_customer_cancels_at_period_end_with_a_reason(billing: BillingPage) -> None:
    billing.sign_in("user_b2b")
    sub = billing.only_subscription()
    card = billing.subscription(sub["id"])
    expect(card.get_by_test_id("cancellation-notice")).to_be_hidden()
    inbox = Mailbox(billing.stack.mail_dir, "b2b@demo.example")

    # The shortcut deep-links into the portal's cancellation, which returns on completion.
    portal = billing.open_portal("shortcut-cancel-subscription")
    expect(portal.by("cancel-summary")).to_contain_text("you keep access until the end")
    # A yearly plan in its first months gets the restricted portal: a reason is required.
    expect(portal.by("reason-optional")).to_have_count(0)
    portal.page.get_by_label("It's too expensive").check()
    portal.by("confirm-cancel").click()
    billing.page.wait_for_url(f"{billing.url}*")

    billing.expect_returned_and_synced()
    ends = long_date(sub["current_period_end"])
    expect(card.get_by_test_id("cancellation-notice")).to_contain_text(f"Cancels on {ends}.")
    expect(card.get_by_test_id("renewal-date")).to_have_text(f"Access until {ends}")
    expect(billing.by("shortcut-cancel-subscription")).to_be_hidden()
    after = billing.only_subscription()
    assert after["cancel_at_period_end"] is True
    assert after["status"] == "active"
    mail = inbox.wait_for("Your subscription is set to end")
    assert mail.subject == (
        f"Your subscription is set to end on {email_date(sub['current_period_end'])}"
    )


def test_customer_undoes_a_scheduled_cancellation(billing: BillingPage) -> None:
    billing.sign_in("user_cancel_scheduled")
    sub = billing.only_subscription()
    assert sub["cancel_at_period_end"] is True
    card = billing.subscription(sub["id"])
    ends = long_date(sub["current_period_end"])
    expect(card.get_by_test_id("cancellation-notice")).to_contain_text(f"Cancels on {ends}.")
    # Before leaving, the page says the portal can undo the scheduled cancellation.
    explanation = billing.by("portal-explanation")
    expect(explanation).to_contain_text(f"Your subscription is set to end on {ends}.")
    expect(explanation).to_contain_text(
        "In the billing portal you can keep your subscription (undo the cancellation), "
    )
    inbox = Mailbox(billing.stack.mail_dir, "cancel-scheduled@demo.example")

    portal = billing.open_portal()
    expect(portal.by("plan-renewal")).to_contain_text("Cancels on")
    portal.by("renew-subscription").click()
    portal.expect_flash("Your subscription will renew as usual.")
    expect(portal.by("plan-renewal")).to_contain_text("Renews on")
    expect(portal.by("renew-subscription")).to_have_count(0)
    portal.return_to_app(billing)

    billing.expect_returned_and_synced()
    expect(card.get_by_test_id("cancellation-notice")).to_be_hidden()
    renews = long_date(sub["current_period_end"])
    expect(card.get_by_test_id("renewal-date")).to_have_text(f"Renews on {renews}")
    expect(billing.by("shortcut-cancel-subscription")).to_be_visible()
    after = billing.only_subscription()
    assert (after["cancel_at_period_end"], after["cancel_at"]) == (False, None)
    expect(billing.by("portal-explanation")).not_to_contain_text("undo the cancellation")
    mail = inbox.wait_for("Your subscription will continue")
    assert [m.subject for m in inbox.new_messages()] == ["Your subscription will continue"]
    assert f"Your next renewal is on {email_date(sub['current_period_end'])}" in mail.text
    assert f"on the {sub['plan_name']} plan" in mail.text


def test_a_visit_to_the_portal_that_changes_nothing_is_told_neutrally(
    billing: BillingPage,
) -> None:
    billing.sign_in("user_trialing")
    before = billing.summary()
    inbox = Mailbox(billing.stack.mail_dir, "trialing@demo.example")

    portal = billing.open_portal()
    expect(portal.by("portal-plan")).to_have_text("Pro")
    portal.return_to_app(billing)

    billing.expect_returned_unchanged()
    # Said through the live region, so a screen reader announces it too.
    live = billing.by("live-region")
    expect(live).to_have_attribute("aria-live", "polite")
    expect(live.get_by_test_id("sync-banner-text")).to_have_text(UP_TO_DATE)
    after = billing.summary()
    assert after["mirror_updated_at"] == before["mirror_updated_at"]
    assert after["subscriptions"] == before["subscriptions"]
    assert inbox.new_messages() == []
