"""Paying on the hosted invoice page, where an incomplete subscription's customer is sent.

The seeded ``user_incomplete`` customer's first invoice failed on its default card (0341)
and is open; the page's form pays it with a test card.
"""

from __future__ import annotations

import html
import re

import httpx
import stripe

from stripe_sandbox.testing import RunningSandbox

from .demo_support import DemoAccount, cards_of, seeded
from .portal_support import events_since, last_event_id, texts_by_testid

TOKEN = re.compile(r'name="token" value="([^"]+)"')
FORM_FIELDS = ("pay-card-number", "pay-exp", "pay-cvc", "pay-invoice")


class InvoicePage:
    """A customer's browser on one hosted invoice page."""

    def __init__(self, sandbox: RunningSandbox, url: str) -> None:
        self.http = httpx.Client(base_url=sandbox.url, follow_redirects=False, timeout=10)
        self.path = httpx.URL(url).path
        self.page = ""

    def open(self) -> httpx.Response:
        response = self.http.get(self.path)
        self.page = response.text
        return response

    @property
    def token(self) -> str:
        found = TOKEN.search(self.page)
        assert found, "no pay form on the page"
        return html.unescape(found.group(1))

    def pay(self, number: str, token: str | None = None) -> httpx.Response:
        form = {"card_number": number, "expiry": "12 / 34", "cvc": "123"}
        form["token"] = self.token if token is None else token
        response = self.http.post(self.path + "/pay", data=form)
        self.page = response.text
        return response

    def follow(self, response: httpx.Response) -> httpx.Response:
        assert response.status_code == 303, response.text
        response = self.http.get(response.headers["location"])
        self.page = response.text
        return response

    def testid(self, name: str) -> list[str]:
        return texts_by_testid(self.page, name)

    def has_form(self) -> bool:
        return all(f'data-testid="{name}"' in self.page for name in FORM_FIELDS)


def _incomplete(sandbox: RunningSandbox, client: stripe.StripeClient) -> DemoAccount:
    account = seeded(sandbox, client)["user_incomplete"]
    assert account.subscription.status == "incomplete"
    assert account.invoice.status == "open"
    return account


def test_paying_the_first_invoice_activates_the_incomplete_subscription(
    sandbox: RunningSandbox, client: stripe.StripeClient
) -> None:
    account = _incomplete(sandbox, client)
    page = InvoicePage(sandbox, account.invoice.hosted_invoice_url)
    page.open()
    assert page.has_form()
    assert page.testid("invoice-status") == ["open"]
    assert page.testid("amount-due") == ["$29.00"]
    marker = last_event_id(client)

    page.follow(page.pay("4242 4242 4242 4242"))

    assert page.testid("pay-message") == ["Your payment of $29.00 was successful."]
    assert page.testid("invoice-status") == ["paid"]
    assert not page.has_form()
    invoice = client.v1.invoices.retrieve(account.invoice.id)
    assert (invoice.status, invoice.amount_paid) == ("paid", 2900)
    sub = client.v1.subscriptions.retrieve(account.subscription.id)
    assert sub.status == "active"
    events = events_since(client, marker)
    assert [e.type for e in events] == [
        "payment_method.attached",
        "invoice.paid",
        "invoice.payment_succeeded",
        "customer.subscription.updated",
    ]
    card = events[0].data.object
    assert (card.customer, card.card.last4) == (account.customer_id, "4242")
    # The customer's default (the 0341 card) failed: the card that paid renews the plan.
    assert sub.default_payment_method == card.id
    assert events[3].data.previous_attributes.to_dict() == {
        "status": "incomplete",
        "default_payment_method": None,
    }


def test_a_customer_without_a_default_card_gets_the_paying_card_as_default(
    sandbox: RunningSandbox, client: stripe.StripeClient
) -> None:
    customer = client.v1.customers.create(params={"email": "new@example.com"})
    price = client.v1.prices.create(
        params={
            "currency": "usd",
            "unit_amount": 1500,
            "recurring": {"interval": "month"},
            "product_data": {"name": "Starter"},
        }
    )
    sub = client.v1.subscriptions.create(
        params={
            "customer": customer.id,
            "items": [{"price": price.id}],
            "payment_behavior": "default_incomplete",
            "expand": ["latest_invoice"],
        }
    )
    assert sub.status == "incomplete"
    page = InvoicePage(sandbox, sub.latest_invoice.hosted_invoice_url)
    page.open()
    marker = last_event_id(client)

    page.follow(page.pay("5555555555554444"))

    events = events_since(client, marker)
    assert [e.type for e in events] == [
        "payment_method.attached",
        "customer.updated",
        "invoice.paid",
        "invoice.payment_succeeded",
        "customer.subscription.updated",
    ]
    card = events[0].data.object.id
    default = client.v1.customers.retrieve(customer.id).invoice_settings.default_payment_method
    assert default == card
    after = client.v1.subscriptions.retrieve(sub.id)
    assert (after.status, after.default_payment_method) == ("active", None)
    assert events[4].data.previous_attributes.to_dict() == {"status": "incomplete"}


def test_a_declined_card_shows_the_reason_and_changes_nothing(
    sandbox: RunningSandbox, client: stripe.StripeClient
) -> None:
    account = _incomplete(sandbox, client)
    page = InvoicePage(sandbox, account.invoice.hosted_invoice_url)
    page.open()
    cards_before = cards_of(client, account.customer_id)
    marker = last_event_id(client)

    for number, message in (
        ("4000 0000 0000 0002", "Your card was declined."),
        ("4000 0000 0000 0341", "Your card was declined."),
        ("4000 0000 0000 9995", "Your card has insufficient funds."),
    ):
        declined = page.pay(number)
        assert declined.status_code == 402
        assert page.testid("pay-message") == [message]
        assert page.has_form()

    invalid = page.pay("4242 4242")
    assert invalid.status_code == 400
    assert page.testid("pay-message") == ["Your card number is incomplete."]
    assert last_event_id(client) == marker
    invoice = client.v1.invoices.retrieve(account.invoice.id)
    assert (invoice.status, invoice.attempt_count) == ("open", account.invoice.attempt_count)
    assert client.v1.subscriptions.retrieve(account.subscription.id).status == "incomplete"
    assert cards_of(client, account.customer_id) == cards_before


def test_a_paid_invoice_shows_its_status_and_no_form(
    sandbox: RunningSandbox, client: stripe.StripeClient
) -> None:
    account = seeded(sandbox, client)["user_b2c"]
    assert account.invoice.status == "paid"
    page = InvoicePage(sandbox, account.invoice.hosted_invoice_url)

    assert page.open().status_code == 200

    assert page.testid("invoice-status") == ["paid"]
    assert page.testid("amount-due") == ["$0.00"]
    assert not page.has_form()
    assert 'name="token"' not in page.page
    assert page.testid("invoice-settled") == ["This invoice has been paid ($9.00)."]


def test_a_forged_or_foreign_token_is_refused(
    sandbox: RunningSandbox, client: stripe.StripeClient
) -> None:
    accounts = seeded(sandbox, client)
    target = accounts["user_incomplete"]
    other = InvoicePage(sandbox, accounts["user_past_due"].invoice.hosted_invoice_url)
    other.open()
    page = InvoicePage(sandbox, target.invoice.hosted_invoice_url)
    page.open()
    marker = last_event_id(client)

    for token in ("", "forged", other.token, page.token[:-1]):
        refused = page.pay("4242424242424242", token=token)
        assert refused.status_code == 403
        assert "This form has expired" in page.testid("pay-message")[0]

    assert last_event_id(client) == marker
    assert client.v1.invoices.retrieve(target.invoice.id).status == "open"
    assert client.v1.subscriptions.retrieve(target.subscription.id).status == "incomplete"


def test_paying_twice_is_refused_and_unknown_invoices_are_not_found(
    sandbox: RunningSandbox, client: stripe.StripeClient
) -> None:
    account = _incomplete(sandbox, client)
    page = InvoicePage(sandbox, account.invoice.hosted_invoice_url)
    page.open()
    token = page.token
    page.follow(page.pay("4242424242424242"))
    marker = last_event_id(client)

    again = page.pay("4242424242424242", token=token)

    assert again.status_code == 409
    assert page.testid("pay-message") == ["This invoice is paid."]
    assert last_event_id(client) == marker
    missing = httpx.post(f"{sandbox.url}/invoices/in_missing/pay", data={"token": token})
    assert missing.status_code == 404
