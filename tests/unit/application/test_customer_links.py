"""LinkCustomer and ShowCustomer: what support staff do and see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.fakes import (
    FakeBillingProvider,
    FakeClock,
    FakeCustomerDirectory,
    FakeCustomerLinkAudit,
    FakeTransactionManager,
)
from tests.unit.builders import NOW, a_customer, a_subscription, a_yearly_subscription

from application.customers.link_customer import LinkCustomer, LinkCustomerRequest
from application.customers.show_customer import ShowCustomer
from application.errors import InvalidRequest, LinkConflict, ProviderUnavailable, UserNotFound
from domain.calendar import add_months
from domain.customer import Customer
from domain.portal_decision import NoLinkedCustomer, OpenPortal, Redirect
from domain.portal_policy import PortalPolicy

SEGMENTS = frozenset({"b2b", "b2c", "enterprise"})


class LinkWorld:
    def __init__(self, *customers: Customer, known: frozenset[str] = SEGMENTS) -> None:
        self.customers = FakeCustomerDirectory(*customers)
        self.audit = FakeCustomerLinkAudit()
        self.transaction = FakeTransactionManager(self.customers, self.audit)
        self.use_case = LinkCustomer(
            self.customers, self.transaction, known, self.audit, FakeClock(NOW)
        )

    async def link(
        self,
        user_id: str = "user_1",
        customer_id: str = "cus_A1",
        segment: str = "b2c",
        email: str | None = "a@example.com",
    ) -> Customer:
        return await self.use_case.execute(
            LinkCustomerRequest(user_id, customer_id, segment, email)
        )


async def test_link_is_saved_and_committed() -> None:
    world = LinkWorld()

    linked = await world.link(segment="enterprise")

    assert linked == Customer("user_1", "cus_A1", "enterprise", "a@example.com")
    assert world.customers.committed == {"user_1": linked}
    assert world.transaction.log == ["commit"]


async def test_relinking_a_user_replaces_the_link() -> None:
    world = LinkWorld(a_customer(user_id="user_1", stripe_customer_id="cus_OLD"))

    await world.link(customer_id="cus_NEW", segment="b2b")
    await world.link(customer_id="cus_NEW", segment="b2b")

    assert world.customers.committed["user_1"].stripe_customer_id == "cus_NEW"
    assert world.customers.committed["user_1"].segment == "b2b"


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        pytest.param({"user_id": ""}, "user_id", "1 to 255 characters", id="empty-user"),
        pytest.param({"user_id": "   "}, "user_id", "1 to 255 characters", id="blank-user"),
        pytest.param({"user_id": "u" * 256}, "user_id", "1 to 255 characters", id="long-user"),
        pytest.param(
            {"customer_id": ""},
            "customer_id",
            "not a Stripe customer id (cus_...)",
            id="empty-customer",
        ),
        pytest.param(
            {"customer_id": "cust_123"},
            "customer_id",
            "'cust_123' is not a Stripe customer id",
            id="wrong-prefix",
        ),
        pytest.param(
            {"customer_id": "cus_"}, "customer_id", "not a Stripe customer id", id="prefix-only"
        ),
        pytest.param(
            {"customer_id": "cus_12 3"}, "customer_id", "not a Stripe customer id", id="space"
        ),
        pytest.param(
            {"customer_id": "sub_123"},
            "customer_id",
            "not a Stripe customer id",
            id="subscription-id",
        ),
        pytest.param(
            {"segment": "gold"},
            "segment",
            "unknown segment 'gold'; use one of: b2b, b2c, enterprise",
            id="unknown-segment",
        ),
        pytest.param({"segment": "B2B"}, "segment", "lower-case letters", id="upper-case-segment"),
        pytest.param({"segment": ""}, "segment", "lower-case letters", id="empty-segment"),
        pytest.param(
            {"email": "not-an-email"}, "email", "'not-an-email' is not an email address", id="no-at"
        ),
        pytest.param({"email": "@"}, "email", "not an email address", id="bare-at"),
        pytest.param({"email": "ada@"}, "email", "not an email address", id="no-domain"),
        pytest.param(
            {"email": "ada lovelace@example.com"},
            "email",
            "not an email address",
            id="space-in-email",
        ),
    ],
)
async def test_invalid_links_are_refused_naming_the_field(
    kwargs: dict[str, str], field: str, words: str
) -> None:
    world = LinkWorld()

    with pytest.raises(InvalidRequest) as refused:
        await world.link(**kwargs)

    assert refused.value.field == field
    assert words in refused.value.message
    assert world.customers.committed == {}
    assert world.transaction.commits == 0


async def test_any_well_formed_segment_when_none_are_configured() -> None:
    world = LinkWorld(known=frozenset())

    assert (await world.link(segment="partner")).segment == "partner"
    with pytest.raises(InvalidRequest, match="lower-case letters"):
        await world.link(segment="Partner!")


async def test_email_is_optional() -> None:
    assert (await LinkWorld().link(email=None)).email is None


async def test_a_stripe_customer_already_linked_to_another_user_is_refused() -> None:
    owner = a_customer(user_id="user_owner", stripe_customer_id="cus_A1")
    world = LinkWorld(owner)

    with pytest.raises(LinkConflict) as refused:
        await world.link(user_id="user_thief", customer_id="cus_A1")

    assert refused.value.field == "customer_id"
    assert refused.value.message == "cus_A1 is already linked to user 'user_owner'"
    assert world.customers.committed == {"user_owner": owner}


class ShowWorld:
    def __init__(self, *customers: Customer) -> None:
        self.customers = FakeCustomerDirectory(*customers)
        self.provider = FakeBillingProvider()
        self.clock = FakeClock(NOW)
        self.use_case = ShowCustomer(self.customers, self.provider, self.clock, PortalPolicy())


async def test_show_unknown_user_points_to_customers_link() -> None:
    with pytest.raises(
        UserNotFound, match="no customer link for user 'ghost'; see `customers link`"
    ):
        await ShowWorld().use_case.execute("ghost")


async def test_show_user_without_billing_account_asks_no_provider() -> None:
    world = ShowWorld(a_customer(stripe_customer_id=None))

    view = await world.use_case.execute("user_1")

    assert view.subscriptions == ()
    assert isinstance(view.decision, NoLinkedCustomer)
    assert world.provider.listed_for == []


async def test_show_lists_every_subscription_and_todays_decision_and_why() -> None:
    world = ShowWorld(a_customer())
    yearly = a_yearly_subscription(months_old=4, id="sub_y")
    gone = a_subscription(id="sub_old", status="canceled", period_end=NOW - timedelta(days=90))
    world.provider.subscriptions["cus_TEST1"] = [yearly, gone]

    today = await world.use_case.execute("user_1")
    world.clock.current = add_months(NOW, 2)
    later = await world.use_case.execute("user_1")

    assert today.subscriptions == (yearly, gone)
    assert isinstance(today.decision, OpenPortal)
    assert (today.decision.configuration, today.decision.explanation) == (
        "b2c_restricted",
        "yearly subscription sub_y is younger than 6 months",
    )
    assert isinstance(later.decision, OpenPortal)
    assert later.decision.configuration == "b2c"


async def test_show_for_a_customer_who_never_subscribed() -> None:
    world = ShowWorld(a_customer())

    view = await world.use_case.execute("user_1")

    assert isinstance(view.decision, Redirect)
    assert view.decision.redirect_to == "/pricing"


async def test_show_lets_provider_errors_through() -> None:
    world = ShowWorld(a_customer())
    world.provider.list_error = ProviderUnavailable("Stripe timed out")

    with pytest.raises(ProviderUnavailable):
        await world.use_case.execute("user_1")
