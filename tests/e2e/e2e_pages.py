"""The billing page and the sandbox's hosted portal, as a customer uses them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from e2e_journal import Journal
from e2e_stack import Stack
from playwright.sync_api import Locator, Page, expect

# The page waits ~1 s before leaving; the portal and the sandbox answer locally.
NAVIGATION_TIMEOUT_MS = 15_000
# Back from the portal the page polls the mirror every second; with no change after 7 s it
# says so neutrally (and keeps checking quietly). The webhook and the worker usually land
# within a second or two.
SYNC_TIMEOUT_MS = 20_000
CHECKING = "Checking for changes…"
APPLIED = "Your changes have been applied."
UP_TO_DATE = (
    "Your billing details are up to date. "
    "Changes made in the portal can take a few seconds to appear."
)
# Every sentence the sync banner may say after a portal return, by its data-state.
BANNER_SAYS = {f"pending: {CHECKING}", f"done: {APPLIED}", f"current: {UP_TO_DATE}"}


def long_date(iso: str) -> str:
    """How the page prints a date (en-US, UTC in these tests): ``December 15, 2026``."""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return f"{moment:%B} {moment.day}, {moment.year}"


def email_date(iso: str) -> str:
    """How the emails print a date: ``15 December 2026``."""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return f"{moment.day} {moment:%B %Y}"


@dataclass
class BillingPage:
    """The billing page of ``stack`` in one browser tab."""

    page: Page
    stack: Stack
    journal: Journal
    return_mark: int = 0

    @property
    def url(self) -> str:
        return f"{self.stack.app_url}/billing"

    def by(self, test_id: str) -> Locator:
        return self.page.get_by_test_id(test_id)

    # -- signing in ---------------------------------------------------------------------

    def sign_in(self, user_id: str) -> None:
        self.page.goto(self.url)
        self.page.locator(f'[data-testid="demo-user"][data-user-id="{user_id}"]').click()
        self.expect_dashboard_of(user_id)

    def expect_dashboard_of(self, user_id: str) -> None:
        expect(self.by("dashboard")).to_be_visible()
        expect(self.by("signed-in-user")).to_contain_text(user_id)  # "email (user id)"
        expect(self.by("loading")).to_be_hidden()

    # -- what the page shows ------------------------------------------------------------

    def subscription(self, subscription_id: str) -> Locator:
        return self.page.locator(
            f'[data-testid="subscription"][data-subscription-id="{subscription_id}"]'
        )

    # -- the public API through the page's own cookie session ----------------------------

    def api(self, path: str) -> Any:
        response = self.page.request.get(f"{self.stack.app_url}{path}")
        assert response.ok, f"GET {path}: {response.status} {response.text()}"
        return response.json()

    def summary(self) -> dict[str, Any]:
        summary: dict[str, Any] = self.api("/api/billing/summary")
        return summary

    def only_subscription(self) -> dict[str, Any]:
        subscriptions = self.summary()["subscriptions"]
        assert len(subscriptions) == 1, subscriptions
        only: dict[str, Any] = subscriptions[0]
        return only

    # -- leaving and coming back -----------------------------------------------------------

    def open_portal(self, trigger: str = "manage-billing") -> Portal:
        """Click ``trigger`` and land on the sandbox's hosted portal, after the page said
        in a sentence what the portal lets this customer do, the button busy meanwhile."""
        explanation = self.by("portal-explanation").inner_text()
        mark = self.journal.mark()
        self.by(trigger).click()
        self.page.wait_for_url(
            re.compile(re.escape(self.stack.sandbox_url) + r"/p/session/"),
            timeout=NAVIGATION_TIMEOUT_MS,
        )
        assert f"{trigger} disabled" in self.journal.since(mark, "busy")
        said = self.journal.since(mark, "status")
        assert f"Opening the billing portal… {explanation}" in said, said
        self.return_mark = self.journal.mark()
        return Portal(self.page)

    def expect_returned_and_synced(self) -> None:
        """Back on the page from the portal: the banner confirms the change is applied, it
        only ever said what it knew, and the return query is gone from the address."""
        expect(self.by("sync-banner")).to_have_attribute(
            "data-state", "done", timeout=SYNC_TIMEOUT_MS
        )
        expect(self.by("sync-banner-text")).to_have_text(APPLIED)
        expect(self.page).to_have_url(self.url)
        shown = self.returned_banners()
        assert shown[-1] == f"done: {APPLIED}", shown

    def expect_returned_unchanged(self) -> None:
        """Back from the portal with nothing changed: the page checked, then said neutrally
        that the details are up to date (never that changes were being applied)."""
        expect(self.by("sync-banner")).to_have_attribute(
            "data-state", "current", timeout=SYNC_TIMEOUT_MS
        )
        expect(self.by("sync-banner-text")).to_have_text(UP_TO_DATE)
        expect(self.page).to_have_url(self.url)
        assert self.returned_banners() == [f"pending: {CHECKING}", f"current: {UP_TO_DATE}"]

    def returned_banners(self) -> list[str]:
        shown = self.journal.since(self.return_mark, "banner")
        assert shown, "the sync banner never showed"
        assert set(shown) <= BANNER_SAYS, shown
        return shown


@dataclass
class Portal:
    """The sandbox's hosted portal (its pages carry ``data-testid`` hooks)."""

    page: Page

    def by(self, test_id: str) -> Locator:
        return self.page.get_by_test_id(test_id)

    def expect_flash(self, text: str) -> None:
        expect(self.by("flash-message")).to_have_text(text)

    def add_card(self, number: str, expiry: str, cvc: str = "123") -> None:
        self.by("card-number").fill(number)
        self.by("card-expiry").fill(expiry)
        self.by("card-cvc").fill(cvc)
        self.by("save-card").click()

    def card_row(self, last4: str, expires: str) -> Locator:
        return self.by("payment-method").filter(has_text=f"•••• {last4}").filter(has_text=expires)

    def return_to_app(self, billing: BillingPage) -> None:
        self.by("return-link").click()
        self.page.wait_for_url(
            re.compile(re.escape(billing.url) + r"(\?.*)?$"), timeout=NAVIGATION_TIMEOUT_MS
        )
