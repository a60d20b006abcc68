"""An unexpected failure on a portal page: a plain portal page (500) with the way back,
never Litestar's JSON, and a failed action leaves nothing behind."""

from __future__ import annotations

from typing import Any, NoReturn

import pytest
import stripe

from stripe_sandbox.portal import rules, views
from stripe_sandbox.testing import RunningSandbox

from .portal_support import PortalBrowser, last_event_id, portal_for


def broken(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise RuntimeError("a bug in the sandbox")


def test_a_page_that_fails_renders_the_portal_error_page(
    sandbox: RunningSandbox,
    client: stripe.StripeClient,
    plans: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, _, session = portal_for(client, plans)
    browser = PortalBrowser(sandbox, session.url)
    monkeypatch.setattr(views, "invoices", broken)
    response = browser.get()
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert browser.testid("server-error") == ["Something went wrong"]
    assert browser.testid("error-return-link") == ["Return to Sandbox SaaS"]
    assert 'href="https://app.example/account"' in response.text
    assert "a bug in the sandbox" not in response.text
    assert 'href="/p/static/portal.css"' in response.text


def test_an_action_that_fails_changes_nothing(
    sandbox: RunningSandbox,
    client: stripe.StripeClient,
    plans: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    customer, _, session = portal_for(client, plans)
    browser = PortalBrowser(sandbox, session.url)
    browser.get("/billing")
    marker = last_event_id(client)
    monkeypatch.setattr(rules, "billing_params", broken)
    response = browser.post("/billing", {"email": "new@example.com"})
    assert response.status_code == 500
    assert browser.testid("server-error", response.text) == ["Something went wrong"]
    assert last_event_id(client) == marker
    assert client.v1.customers.retrieve(customer.id).email == "jo@example.com"


def test_an_unknown_session_still_gets_a_page_without_a_return_link(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stripe_sandbox import portal_sessions

    monkeypatch.setattr(portal_sessions, "lookup", broken)
    browser = PortalBrowser(sandbox, f"{sandbox.url}/p/session/nope")
    response = browser.get()
    assert response.status_code == 500
    assert browser.testid("server-error") == ["Something went wrong"]
    assert browser.testid("error-return-link") == []
