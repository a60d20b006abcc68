"""Driving the hosted portal over HTTP like a browser would: GET a page, read the CSRF
token and ``data-testid`` elements, submit its forms."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import stripe

from stripe_sandbox.testing import RunningSandbox

from .conftest import new_customer
from .test_billing_portal import features

CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


class PortalBrowser:
    """One customer's browser on one portal session (no redirects followed implicitly)."""

    def __init__(self, sandbox: RunningSandbox, session_url: str) -> None:
        self.http = httpx.Client(base_url=sandbox.url, follow_redirects=False, timeout=10)
        self.home = httpx.URL(session_url).path
        self.page = ""

    def get(self, path: str = "", **params: Any) -> httpx.Response:
        response = self.http.get(self.home + path, params=params)
        self.page = response.text
        return response

    def post(self, path: str, data: dict[str, Any] | None = None) -> httpx.Response:
        """Submit a form of the last page (its CSRF token included unless given)."""
        found = CSRF.search(self.page)
        form = {"csrf_token": html.unescape(found.group(1)) if found else "", **(data or {})}
        return self.http.post(self.home + path, data=form)

    def follow(self, response: httpx.Response) -> httpx.Response:
        """GET where a 303 points (within the sandbox)."""
        assert response.status_code == 303, response.text
        location = response.headers["location"]
        response = self.http.get(location)
        self.page = response.text
        return response

    def testid(self, name: str, page: str | None = None) -> list[str]:
        """The text of every element with ``data-testid=name`` (tags stripped)."""
        return texts_by_testid(self.page if page is None else page, name)

    def amount(self, name: str) -> int:
        """The ``data-amount`` of the element with ``data-testid=name``."""
        found = re.search(rf'data-testid="{name}" data-amount="(-?\d+)"', self.page)
        assert found, f"no {name} on the page"
        return int(found.group(1))

    def close(self) -> None:
        self.http.close()


def texts_by_testid(page: str, name: str) -> list[str]:
    """The text of every element of ``page`` with ``data-testid=name`` (tags stripped)."""
    pattern = re.compile(rf'<(\w+)[^>]*data-testid="{re.escape(name)}"[^>]*>(.*?)</\1>', re.S)
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", "", m.group(2))).split())
        for m in pattern.finditer(page)
    ]


def portal_for(
    client: stripe.StripeClient,
    plans: dict[str, Any],
    *,
    price: str = "basic_monthly",
    quantity: int = 1,
    card: str | None = "pm_card_visa",
    session: dict[str, Any] | None = None,
    sandbox: RunningSandbox | None = None,
    age_days: float = 0,
    metadata: dict[str, str] | None = None,
    **feature_overrides: Any,
) -> tuple[Any, Any, Any]:
    """A configuration (with ``metadata``), a customer with one subscription ``age_days``
    old (moving ``sandbox``'s clock), and a portal session for them."""
    config = client.v1.billing_portal.configurations.create(
        params={
            "features": features(plans, **feature_overrides),
            "business_profile": {"headline": "Acme billing"},
            "metadata": metadata or {},
        }
    )
    customer = new_customer(client, card)
    sub = client.v1.subscriptions.create(
        params={
            "customer": customer.id,
            "items": [{"price": plans[price].id, "quantity": quantity}],
        }
    )
    if sandbox is not None and age_days:
        sandbox.store.advance(days=age_days)
    portal = client.v1.billing_portal.sessions.create(
        params={
            "customer": customer.id,
            "configuration": config.id,
            "return_url": "https://app.example/account",
            **(session or {}),
        }
    )
    return customer, sub, portal


def events_since(client: stripe.StripeClient, marker: str | None) -> list[Any]:
    """Events created after ``marker`` (an event id), oldest first."""
    params: dict[str, Any] = {"limit": 100}
    if marker:
        params["ending_before"] = marker
    found = list(client.v1.events.list(params=params).data)
    return list(reversed(found))


def last_event_id(client: stripe.StripeClient) -> str | None:
    found = client.v1.events.list(params={"limit": 1}).data
    return found[0].id if found else None
