"""When things go wrong: the billing provider is unreachable, the page session has expired,
a write arrives with a forged CSRF token."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from e2e_pages import NAVIGATION_TIMEOUT_MS, BillingPage
from e2e_stack import SESSION_SECRET, SUPPORT_EMAIL, Stack, free_port, start_serve
from playwright.sync_api import Page, Route, expect
from tests.fakes import FakePageSessions

from entrypoints.http.web.session import SESSION_COOKIE, CookieSessions

pytestmark = pytest.mark.e2e


@pytest.fixture
def provider_down(demo_stack: Stack) -> Iterator[Stack]:
    """A second API process on the demo's database and session secret whose Stripe
    address is a closed port: to it, the provider is down."""
    closed = f"http://127.0.0.1:{free_port()}"
    stack = start_serve(demo_stack.data_dir, closed, STRIPE_MAX_NETWORK_RETRIES="1")
    yield stack
    stack.stop()


def test_provider_down_shows_the_error_and_keeps_the_billing_details(
    billing: BillingPage, provider_down: Stack
) -> None:
    billing.sign_in("user_trialing")
    # The session cookie is host-wide, so the same browser is signed in on the second API.
    page = billing.page
    billing = BillingPage(page, provider_down, billing.journal)
    page.goto(billing.url)
    billing.expect_dashboard_of("user_trialing")
    sub = billing.only_subscription()
    card = billing.subscription(sub["id"])
    expect(card.get_by_test_id("plan-name")).to_have_text("Pro monthly")
    expect(card.get_by_test_id("subscription-status")).to_have_text("Trial")
    invoices = billing.by("invoice-row")
    expect(invoices.first).to_be_visible()
    invoice_count = invoices.count()

    billing.by("manage-billing").click()

    error = billing.by("error-message")
    expect(error).to_be_visible(timeout=NAVIGATION_TIMEOUT_MS)
    expect(billing.by("error-title")).to_have_text(
        "Billing is temporarily unavailable. Your details below are unchanged; "
        "please try again in a few minutes."
    )
    expect(billing.by("error-support-link")).to_have_text(SUPPORT_EMAIL)
    expect(billing.by("error-support-link")).to_have_attribute("href", f"mailto:{SUPPORT_EMAIL}")
    expect(billing.by("support-contact")).to_be_visible()
    expect(page).to_have_url(billing.url)
    # The details from the mirror stay, and the button works again.
    expect(card.get_by_test_id("plan-name")).to_have_text("Pro monthly")
    expect(billing.by("payment-method")).to_contain_text("Visa ending in 4242")
    expect(invoices).to_have_count(invoice_count)
    expect(billing.by("manage-billing")).to_be_enabled()
    expect(billing.by("manage-billing")).not_to_have_attribute("aria-busy", "true")
    problem = page.request.post(
        f"{provider_down.app_url}/api/billing/portal-sessions",
        headers={"X-CSRF-Token": _csrf_token(billing)},
        data={},
    )
    assert (problem.status, problem.json()["type"]) == (
        503,
        "urn:billing-portal:problem:provider-unavailable",
    )

    billing.by("error-dismiss").click()
    expect(error).to_be_hidden()
    expect(billing.by("manage-billing")).to_be_focused()
    expect(card.get_by_test_id("plan-name")).to_have_text("Pro monthly")


def _csrf_token(billing: BillingPage) -> str:
    token: str = billing.api("/api/session")["csrf_token"]
    return token


def _expire_session(page: Page, stack: Stack, user_id: str) -> None:
    """Replace the browser's session cookie by one for the same user, issued an hour ago
    with the shortest lifetime the service allows (5 minutes)."""
    an_hour_ago = time.time() - 3600
    sessions = CookieSessions(SESSION_SECRET, store=FakePageSessions(), app_base_url=stack.app_url)
    token = sessions.sign(user_id, "an-old-session", expires_at=int(an_hour_ago) + 300)
    page.context.add_cookies(
        [
            {
                "name": SESSION_COOKIE,
                "value": token,
                "url": stack.app_url,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )


def test_an_expired_session_asks_to_sign_in_again(billing: BillingPage) -> None:
    billing.sign_in("user_no_sub")
    _expire_session(billing.page, billing.stack, "user_no_sub")

    billing.by("manage-billing").click()

    expect(billing.by("sign-in")).to_be_visible()
    expect(billing.by("status-message")).to_have_text(
        "Your session has expired. Sign in again to continue."
    )
    expect(billing.by("dashboard")).to_be_hidden()
    expect(billing.by("account")).to_be_hidden()
    expect(billing.page).to_have_url(billing.url)
    # A reload with the expired cookie lands on the sign-in too, and signing in works.
    billing.page.reload()
    expect(billing.by("sign-in")).to_be_visible()
    expect(billing.by("dashboard")).to_be_hidden()
    billing.sign_in("user_no_sub")


def test_a_forged_csrf_token_is_refused_and_changes_nothing(billing: BillingPage) -> None:
    billing.sign_in("user_no_sub")
    before = billing.summary()
    real_token = _csrf_token(billing)
    forged = real_token[:-4] + ("AAAA" if not real_token.endswith("AAAA") else "BBBB")

    def forge(route: Route) -> None:
        route.continue_(headers={**route.request.headers, "x-csrf-token": forged})

    billing.page.route("**/api/billing/portal-sessions", forge)
    billing.page.route("**/api/session", forge)

    with billing.page.expect_response("**/api/billing/portal-sessions") as answered:
        billing.by("manage-billing").click()
    refused = answered.value
    assert refused.status == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"] == "urn:billing-portal:problem:csrf-rejected"
    expect(billing.by("error-title")).to_have_text(
        "Your session could not be verified. Reload the page and try again."
    )
    expect(billing.page).to_have_url(billing.url)

    # Signing out with the forged token is refused too: the session survives.
    billing.by("error-dismiss").click()
    with billing.page.expect_response(
        lambda r: r.url.endswith("/api/session") and r.request.method == "DELETE"
    ) as signed_out:
        billing.by("sign-out").click()
    assert signed_out.value.status == 403
    expect(billing.by("dashboard")).to_be_visible()
    billing.page.unroute_all()
    assert _csrf_token(billing) == real_token
    assert billing.summary() == before

    # The real token still works: the same click now reaches the pricing page.
    billing.by("manage-billing").click()
    billing.page.wait_for_url(f"{billing.stack.app_url}/pricing", timeout=NAVIGATION_TIMEOUT_MS)
    expect(billing.by("placeholder-pricing")).to_be_visible()
