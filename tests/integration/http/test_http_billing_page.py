"""GET /api/billing/summary and /api/billing/invoices: the signed-in user's billing page."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime

import pytest
from billing_builders import a_subscription
from jwt_tokens import HS256
from mirror_seeding import an_invoice, mirrored, seed_mirror, version
from portal_harness import APP_BASE_URL, Portal
from tests.fakes import FakeBillingProvider

from domain.billing.customer import MirroredCustomer
from domain.billing.payment_method import MirroredPaymentMethod

SUMMARY = "/api/billing/summary"
INVOICES = "/api/billing/invoices"
SUBSCRIPTION_KEYS = {
    "id", "status", "plan_name", "price_id", "interval", "interval_count", "quantity",
    "current_period_end", "cancel_at_period_end", "cancel_at", "canceled_at", "ended_at",
    "items", "current_period_start", "latest_invoice",
}  # fmt: skip
INVOICE_KEYS = {
    "id", "number", "status", "amount_due", "amount_paid", "total", "currency", "created",
    "period_start", "period_end", "hosted_invoice_url", "invoice_pdf",
}  # fmt: skip


def new_user() -> tuple[str, str]:
    token = uuid.uuid4().hex[:12]
    return f"user_{token}", f"cus_{token}"


def iso(moment: datetime | None) -> str | None:
    """As the API writes times: ISO 8601 in UTC with a ``Z``."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


async def test_the_summary_shows_plans_card_freshness_and_the_portal_outlook(
    portal: Portal, billing: FakeBillingProvider
) -> None:
    user, customer = new_user()
    await portal.link(user, customer, segment="b2c")
    sub = a_subscription(customer, price_id="price_basic_monthly")
    card = MirroredPaymentMethod(
        "pm_visa", version(), customer, brand="visa", last4="4242", exp_month=12, exp_year=2034
    )
    linked = MirroredCustomer(
        customer, version(), email="a@b.co", default_payment_method_id="pm_visa"
    )
    seeding = datetime.now(UTC)
    await seed_mirror(portal.settings, billing, [linked, card, mirrored(sub)])
    seeded = datetime.now(UTC)

    response = await portal.client.get(SUMMARY, headers=HS256.headers(user))

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["user_id"], body["customer_id"]) == (user, customer)
    [line] = body["subscriptions"]
    assert set(line) == SUBSCRIPTION_KEYS
    item = sub.items[0]
    assert line == {
        "id": sub.id,
        "status": "active",
        "plan_name": "Basic monthly",
        "price_id": "price_basic_monthly",
        "interval": "month",
        "interval_count": 1,
        "quantity": 1,
        "current_period_start": iso(item.period_start),
        "current_period_end": iso(item.period_end),
        "cancel_at_period_end": False,
        "cancel_at": None,
        "canceled_at": None,
        "ended_at": None,
        "items": [
            {
                "price_id": "price_basic_monthly",
                "plan_name": "Basic monthly",
                "interval": "month",
                "interval_count": 1,
                "quantity": 1,
            }
        ],
        "latest_invoice": None,
    }
    assert body["default_payment_method"] == {
        "brand": "visa",
        "last4": "4242",
        "exp_month": 12,
        "exp_year": 2034,
    }
    # When we wrote the mirror (to the microsecond), not the Stripe time it reflects.
    assert seeding <= datetime.fromisoformat(body["mirror_updated_at"]) <= seeded
    outlook = body["portal"]
    assert (outlook["action"], outlook["reason"], outlook["configuration"]) == (
        "portal",
        "segment",
        "b2c",
    )
    assert outlook["redirect_to"] is None
    assert {"payment_method_update", "subscription_cancel", "subscription_update"} <= set(
        outlook["allowed_flows"]
    )


async def test_an_overdue_subscription_carries_its_latest_invoice(
    portal: Portal, billing: FakeBillingProvider
) -> None:
    user, customer = new_user()
    await portal.link(user, customer)
    overdue, other = a_subscription(customer, status="past_due"), a_subscription(customer)
    older = dataclasses.replace(an_invoice(customer, 1), subscription_id=overdue.id)
    failed = dataclasses.replace(
        an_invoice(customer, 2),
        subscription_id=overdue.id,
        status="open",
        amount_due=2900,
        amount_paid=0,
        hosted_invoice_url="https://invoice.example.test/failed",
    )
    unrelated = an_invoice(customer, 3)  # no subscription: never anyone's latest
    records = [mirrored(overdue), mirrored(other), failed, older, unrelated]
    await seed_mirror(portal.settings, billing, records)

    body = (await portal.client.get(SUMMARY, headers=HS256.headers(user))).json()

    lines = {line["id"]: line for line in body["subscriptions"]}
    assert lines[overdue.id]["latest_invoice"] == {
        "status": "open",
        "amount_due": 2900,
        "currency": "usd",
        "hosted_invoice_url": "https://invoice.example.test/failed",
    }
    assert lines[overdue.id]["current_period_start"] == iso(overdue.period_start)
    assert lines[other.id]["latest_invoice"] is None


async def test_mirror_updated_at_moves_with_a_write_in_the_same_stripe_second(
    portal: Portal, billing: FakeBillingProvider
) -> None:
    user, customer = new_user()
    await portal.link(user, customer)
    await seed_mirror(portal.settings, billing, [mirrored(a_subscription(customer))])
    headers = HS256.headers(user)
    before = (await portal.client.get(SUMMARY, headers=headers)).json()["mirror_updated_at"]
    # A new card, mirrored with the same Stripe time (SEEN_AT) as the subscription.
    card = MirroredPaymentMethod("pm_new", version(), customer, brand="visa", last4="1881")
    await seed_mirror(portal.settings, billing, [card])

    after = (await portal.client.get(SUMMARY, headers=headers)).json()["mirror_updated_at"]

    assert datetime.fromisoformat(after) > datetime.fromisoformat(before)
    again = (await portal.client.get(SUMMARY, headers=headers)).json()["mirror_updated_at"]
    assert again == after  # reading changes nothing


async def test_two_live_subscriptions_allow_only_payment_method_updates(
    portal: Portal, billing: FakeBillingProvider
) -> None:
    user, customer = new_user()
    await portal.link(user, customer, segment="b2b")
    subs = [a_subscription(customer), a_subscription(customer, price_id="price_pro_monthly")]
    await seed_mirror(portal.settings, billing, [mirrored(s) for s in subs])

    body = (await portal.client.get(SUMMARY, headers=HS256.headers(user))).json()

    assert len(body["subscriptions"]) == 2
    assert body["default_payment_method"] is None
    outlook = body["portal"]
    assert (outlook["action"], outlook["configuration"]) == ("portal", "payment_methods_only")
    assert outlook["allowed_flows"] == ["payment_method_update"]


async def test_a_user_who_never_subscribed_is_told_where_to_go(portal: Portal) -> None:
    user, customer = new_user()
    await portal.link(user, customer)

    body = (await portal.client.get(SUMMARY, headers=HS256.headers(user))).json()

    assert body["subscriptions"] == []
    assert body["mirror_updated_at"] is None
    assert body["portal"] == {
        "action": "redirect",
        "reason": "never_subscribed",
        "explanation": body["portal"]["explanation"],
        "configuration": None,
        "redirect_to": f"{APP_BASE_URL}/pricing",
        "allowed_flows": [],
    }


async def test_the_portal_session_reads_subscriptions_from_the_mirror_first(
    portal: Portal, billing: FakeBillingProvider
) -> None:
    user, customer = new_user()
    await portal.link(user, customer)
    await seed_mirror(portal.settings, billing, [mirrored(a_subscription(customer))])
    # Stripe (faked) has nothing for this customer: only the mirror says they subscribed.

    response = await portal.client.post("/api/billing/portal-sessions", headers=HS256.headers(user))

    assert response.status_code == 201, response.text
    assert billing.session_requests[-1].customer_id == customer


async def test_a_partial_mirror_is_not_trusted_stripe_answers_until_it_is_complete(
    portal: Portal, billing: FakeBillingProvider
) -> None:
    user, customer = new_user()
    await portal.link(user, customer)
    # An event put a subscription in the mirror, but `sync` never ran for this customer:
    # Stripe (faked) is asked, and it knows no subscription of theirs.
    await seed_mirror(
        portal.settings, billing, [mirrored(a_subscription(customer))], complete=False
    )

    response = await portal.client.post("/api/billing/portal-sessions", headers=HS256.headers(user))

    assert response.status_code == 200, response.text
    assert response.json()["reason"] == "never_subscribed"
    assert billing.listed_for[-1] == customer


async def test_invoices_come_newest_first_a_page_at_a_time(
    portal: Portal, billing: FakeBillingProvider
) -> None:
    user, customer = new_user()
    await portal.link(user, customer)
    await seed_mirror(portal.settings, billing, [an_invoice(customer, n) for n in range(5)])
    headers = HS256.headers(user)

    first = (await portal.client.get(INVOICES, params={"limit": 2}, headers=headers)).json()
    cursor = first["next_cursor"]
    second = (
        await portal.client.get(INVOICES, params={"limit": 2, "cursor": cursor}, headers=headers)
    ).json()
    cursor = second["next_cursor"]
    last = (
        await portal.client.get(INVOICES, params={"limit": 2, "cursor": cursor}, headers=headers)
    ).json()

    numbers = [[i["number"] for i in page["data"]] for page in (first, second, last)]
    assert numbers == [["INV-0004", "INV-0003"], ["INV-0002", "INV-0001"], ["INV-0000"]]
    assert last["next_cursor"] is None
    invoice = first["data"][0]
    assert set(invoice) == INVOICE_KEYS
    expected = an_invoice(customer, 4)
    assert invoice == {
        "id": expected.id,
        "number": "INV-0004",
        "status": "paid",
        "amount_due": 900,
        "amount_paid": 900,
        "total": 900,
        "currency": "usd",
        "created": iso(expected.created),
        "period_start": iso(expected.period_start),
        "period_end": iso(expected.period_end),
        "hosted_invoice_url": "https://invoice.example.test/4",
        "invoice_pdf": "https://invoice.example.test/4/pdf",
    }


async def test_no_invoices_is_an_empty_page(portal: Portal) -> None:
    user, customer = new_user()
    await portal.link(user, customer)

    body = (await portal.client.get(INVOICES, headers=HS256.headers(user))).json()

    assert body == {"data": [], "next_cursor": None}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"cursor": "not-a-cursor-we-issued"}, "cursor"),
    ],
)
async def test_a_bad_limit_or_cursor_is_a_422_naming_it(
    portal: Portal, params: dict[str, str], field: str
) -> None:
    user, customer = new_user()
    await portal.link(user, customer)

    response = await portal.client.get(INVOICES, params=params, headers=HS256.headers(user))

    assert response.status_code == 422
    assert field in response.text


@pytest.mark.parametrize("path", [SUMMARY, INVOICES])
async def test_a_user_without_a_billing_account_gets_a_404(portal: Portal, path: str) -> None:
    response = await portal.client.get(path, headers=HS256.headers("user_unknown_here"))

    assert response.status_code == 404
    assert response.json()["type"] == "urn:billing-portal:problem:no-billing-account"


@pytest.mark.parametrize("path", [SUMMARY, INVOICES])
async def test_an_anonymous_caller_gets_a_401(portal: Portal, path: str) -> None:
    response = await portal.client.get(path)

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_the_new_routes_are_documented(portal: Portal) -> None:
    schema = (await portal.client.get("/schema/openapi.json")).json()

    paths = schema["paths"]
    assert {"/api/billing/summary", "/api/billing/invoices", "/api/webhooks/stripe"} <= set(paths)
    assert "BillingSummaryBody" in schema["components"]["schemas"]
    assert "security" not in paths["/api/webhooks/stripe"]["post"]
