"""Which change sends which email, with which facts: every case of the pure rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain.billing.customer import MirroredCustomer
from domain.billing.events import (
    Change,
    CustomerChanged,
    EventEnvelope,
    InvoiceChanged,
    InvoiceMoment,
    PaymentMethodChanged,
    PaymentMethodMoment,
    SubscriptionBefore,
    SubscriptionChanged,
    SubscriptionMoment,
)
from domain.billing.invoice import MirroredInvoice
from domain.billing.notifications import (
    EmailTemplate,
    attached_default_card,
    card_updated_email,
    invoice_emails,
    new_default_card,
    subscription_emails,
)
from domain.billing.payment_method import MirroredPaymentMethod
from domain.billing.subscription import CancellationDetails, MirroredSubscription, PriceNaming
from domain.billing.version import SourceVersion
from domain.subscription import Subscription, SubscriptionItem, SubscriptionStatus

AT = datetime(2026, 3, 1, 12, tzinfo=UTC)
END = AT + timedelta(days=30)
ENVELOPE = EventEnvelope(
    "evt_1", "customer.subscription.updated", SourceVersion(AT, "evt_1"), False
)
NAMES = {"prod_pro": "Pro", "prod_basic": "Basic"}


def mirrored(
    price: str = "price_pro", product: str = "prod_pro", **changes: object
) -> MirroredSubscription:
    item = SubscriptionItem("si_1", price, product, period_start=AT, period_end=END)
    sub = Subscription("sub_1", "cus_1", SubscriptionStatus.ACTIVE, AT, AT, items=(item,))
    sub = replace(sub, **changes)  # type: ignore[arg-type]
    return MirroredSubscription(
        sub, SourceVersion(AT, "evt_1"), prices=(PriceNaming(price, product_id=product),)
    )


def updated(
    before: SubscriptionBefore, sub: MirroredSubscription | None = None
) -> SubscriptionChanged:
    return SubscriptionChanged(ENVELOPE, SubscriptionMoment.UPDATED, sub or mirrored(), before)


def templates(emails: list) -> list[EmailTemplate]:  # type: ignore[type-arg]
    return [e.template for e in emails]


BASIC = (PriceNaming("price_basic", product_id="prod_basic"),)


@pytest.mark.parametrize(
    ("case", "event", "expected"),
    [
        (
            "plan changed now",
            updated(SubscriptionBefore(prices=BASIC)),
            [EmailTemplate.PLAN_CHANGED],
        ),
        (
            "items touched, same price",
            updated(SubscriptionBefore(prices=(PriceNaming("price_pro"),))),
            [],
        ),
        (
            "plan change at period end",
            updated(SubscriptionBefore(schedule_attached=True)),
            [EmailTemplate.PLAN_CHANGED],
        ),
        (
            "cancellation scheduled at period end",
            updated(
                SubscriptionBefore(cancel_at_period_end=False), mirrored(cancel_at_period_end=True)
            ),
            [EmailTemplate.CANCELLATION_SCHEDULED],
        ),
        (
            "cancellation scheduled on a date",
            updated(
                SubscriptionBefore(cancel_at_changed=True, cancel_at=None), mirrored(cancel_at=END)
            ),
            [EmailTemplate.CANCELLATION_SCHEDULED],
        ),
        (
            "cancellation undone (period end)",
            updated(SubscriptionBefore(cancel_at_period_end=True)),
            [EmailTemplate.CANCELLATION_UNDONE],
        ),
        (
            "cancellation undone (date)",
            updated(SubscriptionBefore(cancel_at_changed=True, cancel_at=END)),
            [EmailTemplate.CANCELLATION_UNDONE],
        ),
        (
            "a scheduled end moved, still ending",
            updated(
                SubscriptionBefore(cancel_at_changed=True, cancel_at=END),
                mirrored(cancel_at=END + timedelta(days=1)),
            ),
            [],
        ),
        (
            "undone after it ended is no renewal",
            updated(
                SubscriptionBefore(cancel_at_period_end=True),
                mirrored(status=SubscriptionStatus.CANCELED),
            ),
            [],
        ),
        ("nothing that matters", updated(SubscriptionBefore()), []),
        (
            "ended",
            SubscriptionChanged(ENVELOPE, SubscriptionMoment.DELETED, mirrored()),
            [EmailTemplate.SUBSCRIPTION_ENDED],
        ),
        (
            "trial ending",
            SubscriptionChanged(
                ENVELOPE, SubscriptionMoment.TRIAL_WILL_END, mirrored(), trial_end=END
            ),
            [EmailTemplate.TRIAL_ENDING],
        ),
        ("created", SubscriptionChanged(ENVELOPE, SubscriptionMoment.CREATED, mirrored()), []),
        ("paused", SubscriptionChanged(ENVELOPE, SubscriptionMoment.PAUSED, mirrored()), []),
    ],
)
def test_subscription_changes_send(
    case: str, event: SubscriptionChanged, expected: list[EmailTemplate]
) -> None:
    assert templates(subscription_emails(event, None, NAMES)) == expected, case


def test_a_plan_changed_now_names_both_plans_after_their_products() -> None:
    [email] = subscription_emails(updated(SubscriptionBefore(prices=BASIC)), None, NAMES)
    assert email.facts["plan"] == "Pro"
    assert email.facts["from_plan"] == "Basic"
    assert email.facts["to_plan"] == "Pro"
    assert email.facts["effective"] == "immediately"
    assert email.key == "evt_1:plan_changed"
    assert email.customer_id == "cus_1"


def test_an_old_price_with_no_name_is_named_as_the_mirror_named_it_before() -> None:
    before = replace(
        mirrored("price_old", "prod_gone"), prices=(PriceNaming("price_old", nickname="Legacy"),)
    )
    event = updated(SubscriptionBefore(prices=(PriceNaming("price_old"),)))
    [email] = subscription_emails(event, before, NAMES)
    assert email.facts["from_plan"] == "Legacy"


def test_without_any_name_the_price_id_stands_in() -> None:
    [email] = subscription_emails(updated(SubscriptionBefore(prices=BASIC)), None, {})
    assert (email.facts["from_plan"], email.facts["to_plan"]) == ("price_basic", "price_pro")


def test_a_change_at_period_end_says_when() -> None:
    [email] = subscription_emails(updated(SubscriptionBefore(schedule_attached=True)), None, NAMES)
    assert email.facts["effective"] == "period_end"
    assert email.facts["effective_at"] == END.isoformat()
    assert email.facts["to_plan"] is None


def test_a_scheduled_cancellation_says_until_when_and_why() -> None:
    sub = replace(
        mirrored(cancel_at_period_end=True),
        cancellation=CancellationDetails(reason="cancellation_requested", feedback="too_expensive"),
    )
    [email] = subscription_emails(
        updated(SubscriptionBefore(cancel_at_period_end=False), sub), None, NAMES
    )
    assert email.facts["access_until"] == END.isoformat()
    assert email.facts["reason"] == "too_expensive"


def test_the_ended_email_says_when_it_ended() -> None:
    ended = mirrored(status=SubscriptionStatus.CANCELED, ended_at=END)
    [email] = subscription_emails(
        SubscriptionChanged(ENVELOPE, SubscriptionMoment.DELETED, ended), None, NAMES
    )
    assert email.facts == {"plan": "Pro", "ended_at": END.isoformat()}


def invoice_event(moment: InvoiceMoment) -> InvoiceChanged:
    invoice = MirroredInvoice(
        "in_1",
        SourceVersion(AT, "evt_1"),
        "cus_1",
        AT,
        amount_due=1999,
        currency="eur",
        number="A-1",
    )
    return InvoiceChanged(ENVELOPE, moment, invoice, customer_email="ada@example.com")


@pytest.mark.parametrize("moment", list(InvoiceMoment))
def test_only_a_failed_payment_sends_an_invoice_email(moment: InvoiceMoment) -> None:
    emails = invoice_emails(invoice_event(moment), billing_page_url="https://app.example/billing")
    expected = [EmailTemplate.PAYMENT_FAILED] if moment is InvoiceMoment.PAYMENT_FAILED else []
    assert templates(emails) == expected


def test_the_failed_payment_email_links_to_the_payment_method_flow() -> None:
    [email] = invoice_emails(
        invoice_event(InvoiceMoment.PAYMENT_FAILED), billing_page_url="https://app.example/billing"
    )
    assert email.facts["amount"] == "19.99 EUR"
    assert email.facts["update_url"] == "https://app.example/billing?flow=payment_method_update"
    assert email.address == "ada@example.com"


def customer_event(changed: bool, new: str | None, old: str | None) -> CustomerChanged:
    customer = MirroredCustomer("cus_1", SourceVersion(AT, "evt_1"), default_payment_method_id=new)
    return CustomerChanged(ENVELOPE, Change.UPDATED, customer, changed, old)


@pytest.mark.parametrize(
    ("changed", "new", "old", "expected"),
    [
        (True, "pm_new", "pm_old", "pm_new"),
        (True, "pm_new", None, "pm_new"),
        (True, None, "pm_old", None),  # the default was removed: no card to tell of
        (False, "pm_new", None, None),  # another field changed
        (True, "pm_same", "pm_same", None),
    ],
)
def test_a_customer_update_names_a_new_default_card(
    changed: bool, new: str | None, old: str | None, expected: str | None
) -> None:
    assert new_default_card(customer_event(changed, new, old)) == expected


def method(customer: str | None = "cus_1") -> MirroredPaymentMethod:
    return MirroredPaymentMethod(
        "pm_1",
        SourceVersion(AT, "evt_1"),
        customer,
        brand="visa",
        last4="4242",
        exp_month=1,
        exp_year=2030,
    )


@pytest.mark.parametrize(
    ("moment", "default", "expected"),
    [
        (PaymentMethodMoment.ATTACHED, "pm_1", "pm_1"),
        (PaymentMethodMoment.ATTACHED, "pm_other", None),
        (PaymentMethodMoment.UPDATED, "pm_1", None),
        (PaymentMethodMoment.DETACHED, "pm_1", None),
    ],
)
def test_an_attached_card_is_news_only_when_it_is_the_default(
    moment: PaymentMethodMoment, default: str, expected: str | None
) -> None:
    customer = MirroredCustomer("cus_1", SourceVersion(AT, None), default_payment_method_id=default)
    assert (
        attached_default_card(PaymentMethodChanged(ENVELOPE, moment, method()), customer)
        == expected
    )


def test_the_card_email_is_keyed_by_customer_and_card_so_two_events_send_one() -> None:
    email = card_updated_email("cus_1", method())
    assert email.template is EmailTemplate.PAYMENT_METHOD_UPDATED
    assert email.key == "cus_1:pm_1:payment_method_updated"
    assert email.facts["payment_method"] == "Visa ending in 4242"
