"""A sign-in link (``/billing#token=<JWT>``) can be forwarded: the page never signs anyone
in from one without a click that names the account, and never swaps the account of a
signed-in customer silently (login CSRF)."""

from __future__ import annotations

import time

import jwt
import pytest
from e2e_pages import BillingPage
from playwright.sync_api import expect

from entrypoints.jwt_settings import DEV_JWT_AUDIENCE, DEV_JWT_ISSUER, DEV_JWT_SECRET

pytestmark = pytest.mark.e2e


def link_token(user_id: str, email: str) -> str:
    """What a host app (here: the attacker's own account) puts in the link."""
    now = int(time.time())
    claims = {"iss": DEV_JWT_ISSUER, "aud": DEV_JWT_AUDIENCE, "sub": user_id, "email": email,
              "iat": now, "exp": now + 300}  # fmt: skip
    return jwt.encode(claims, DEV_JWT_SECRET, algorithm="HS256")


def test_a_link_with_another_accounts_token_asks_before_switching(billing: BillingPage) -> None:
    billing.sign_in("user_no_sub")
    victim = billing.by("signed-in-user").inner_text()
    link = f"{billing.url}#token={link_token('user_mallory', 'mallory@evil.example')}"

    billing.page.goto(link)

    expect(billing.by("handover")).to_be_visible()
    expect(billing.by("handover-text")).to_contain_text(victim)
    expect(billing.by("handover-text")).to_contain_text("mallory@evil.example (user_mallory)")
    expect(billing.by("dashboard")).to_be_hidden()
    assert "token=" not in billing.page.url
    billing.by("handover-cancel").click()  # "Stay signed in as ..."
    billing.expect_dashboard_of("user_no_sub")
    assert billing.api("/api/session")["user_id"] == "user_no_sub"

    billing.page.goto(link)
    billing.by("handover-confirm").click()  # the user chose to switch: now it is explicit
    expect(billing.by("signed-in-user")).to_have_text("mallory@evil.example (user_mallory)")


def test_a_link_opened_without_a_session_names_the_account_before_signing_in(
    billing: BillingPage,
) -> None:
    billing.page.goto(f"{billing.url}#token={link_token('user_mallory', 'mallory@evil.example')}")

    expect(billing.by("handover-confirm")).to_have_text(
        "Continue as mallory@evil.example (user_mallory)"
    )
    billing.by("handover-cancel").click()

    expect(billing.by("sign-in")).to_be_visible()
    assert billing.page.request.get(f"{billing.stack.app_url}/api/session").status == 401
