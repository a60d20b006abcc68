"""The payment-failed email's link, taken out of the ``.eml`` file and followed in the
browser: into the portal's payment-method flow, or the reason it cannot go there."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest
from e2e_mail import Mailbox
from e2e_pages import BillingPage
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SANDBOX_KEY = "sk_test_sandbox"  # the demo's sandbox key (entrypoints/settings.py)
UPDATE_LINK = re.compile(r"https?://\S+\?flow=payment_method_update")


def _sandbox(billing: BillingPage, method: str, path: str) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(  # loopback only: the demo's sandbox
        f"{billing.stack.sandbox_url}{path}",
        method=method,
        headers={"Authorization": f"Bearer {SANDBOX_KEY}"},
        data=b"" if method == "POST" else None,
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_payment_failed_email_link_opens_the_portal_on_the_card_form(
    billing: BillingPage,
) -> None:
    billing.sign_in("user_past_due")
    invoice = billing.only_subscription()["latest_invoice"]
    assert invoice["status"] == "open"
    invoice_id = invoice["hosted_invoice_url"].rstrip("/").rsplit("/", 1)[-1]
    inbox = Mailbox(billing.stack.mail_dir, "past-due@demo.example")

    # Stripe retries the overdue invoice; the card on file (ending 0341) is declined again.
    status, declined = _sandbox(billing, "POST", f"/v1/invoices/{invoice_id}/pay")
    assert status == 402, declined
    mail = inbox.wait_for("We could not take your payment")
    link = UPDATE_LINK.search(mail.text)
    assert link is not None, mail.text
    assert link.group(0) == f"{billing.url}?flow=payment_method_update"

    # Following it, a signed-in customer lands in the portal's card form without a click.
    billing.page.goto(link.group(0))
    billing.page.wait_for_url(re.compile(re.escape(billing.stack.sandbox_url) + r"/p/session/"))
    expect(billing.page.get_by_test_id("card-number")).to_be_visible()


def test_the_link_says_why_when_the_portal_rules_forbid_that_flow(billing: BillingPage) -> None:
    billing.sign_in("user_no_sub")
    assert billing.summary()["portal"]["action"] == "redirect"

    billing.page.goto(f"{billing.url}?flow=payment_method_update")
    billing.expect_dashboard_of("user_no_sub")
    notice = billing.by("flow-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("You can't update your payment method")
    expect(notice).to_contain_text(billing.summary()["portal"]["explanation"])
    # The page stays; the flow is taken from the address once.
    assert billing.page.url == billing.url
