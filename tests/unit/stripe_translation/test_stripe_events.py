"""Stripe events as typed events: the envelope, and what ``previous_attributes`` says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_stripe_objects import T0, item, price, subscription

from adapters.stripe.events import HANDLED_EVENT_TYPES, StripeEventTranslator
from application.errors import InvalidEvent
from domain.billing.events import (
    Change,
    CheckoutCompleted,
    CustomerChanged,
    InvoiceChanged,
    InvoiceMoment,
    PortalConfigurationChanged,
    ProductChanged,
    SubscriptionChanged,
    SubscriptionMoment,
    TaxIdChanged,
    UnhandledEvent,
)

translator = StripeEventTranslator()


def event(kind: str, obj: dict[str, Any], previous: dict[str, Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"object": obj}
    if previous is not None:
        data["previous_attributes"] = previous
    return {
        "id": "evt_1",
        "object": "event",
        "type": kind,
        "created": T0,
        "livemode": False,
        "api_version": "2026-10-28.endive",
        "data": data,
    }


@pytest.mark.parametrize(
    ("broken", "why"),
    [
        ({"id": None}, "needs an id"),
        ({"type": 7}, "needs an id, a type"),
        ({"created": "yesterday"}, "created time"),
        ({"livemode": "no"}, "livemode"),
    ],
)
def test_an_envelope_without_what_every_event_has_is_refused(
    broken: dict[str, Any], why: str
) -> None:
    payload = {**event("customer.updated", {"id": "cus_1"}), **broken}
    with pytest.raises(InvalidEvent, match=why):
        translator.envelope(payload)


def test_an_unhandled_type_is_kept_as_such() -> None:
    typed = translator.translate(event("charge.succeeded", {"id": "ch_1"}))
    assert isinstance(typed, UnhandledEvent)
    assert typed.envelope.type == "charge.succeeded"
    assert "charge.succeeded" not in HANDLED_EVENT_TYPES


def test_a_plan_change_names_the_prices_it_had() -> None:
    old = item(price=price("price_basic", nickname="Basic", product="prod_basic"))
    typed = translator.translate(
        event("customer.subscription.updated", subscription(), {"items": {"data": [old]}})
    )
    assert isinstance(typed, SubscriptionChanged)
    assert typed.moment is SubscriptionMoment.UPDATED
    assert typed.before.prices is not None
    assert [(p.price_id, p.nickname, p.product_id) for p in typed.before.prices] == [
        ("price_basic", "Basic", "prod_basic")
    ]


def test_an_update_that_touched_no_price_says_so() -> None:
    typed = translator.translate(
        event("customer.subscription.updated", subscription(), {"cancel_at_period_end": False})
    )
    assert isinstance(typed, SubscriptionChanged)
    assert typed.before.prices is None
    assert typed.before.cancel_at_period_end is False
    assert not typed.before.cancel_at_changed


def test_a_dated_cancellation_removed_reports_the_date_it_had() -> None:
    typed = translator.translate(
        event("customer.subscription.updated", subscription(), {"cancel_at": T0 + 99})
    )
    assert isinstance(typed, SubscriptionChanged)
    assert typed.before.cancel_at_changed
    assert typed.before.cancel_at is not None


def test_a_schedule_attached_is_a_change_at_period_end() -> None:
    attached = translator.translate(
        event(
            "customer.subscription.updated",
            subscription(schedule="sub_sched_1"),
            {"schedule": None},
        )
    )
    released = translator.translate(
        event(
            "customer.subscription.updated",
            subscription(schedule=None),
            {"schedule": "sub_sched_1"},
        )
    )
    assert isinstance(attached, SubscriptionChanged)
    assert isinstance(released, SubscriptionChanged)
    assert attached.before.schedule_attached
    assert not released.before.schedule_attached


def test_trial_will_end_carries_the_trial_end() -> None:
    typed = translator.translate(
        event("customer.subscription.trial_will_end", subscription(status="trialing", trial_end=T0))
    )
    assert isinstance(typed, SubscriptionChanged)
    assert typed.moment is SubscriptionMoment.TRIAL_WILL_END
    assert typed.trial_end is not None


def test_a_customer_update_tells_a_new_default_card() -> None:
    customer = {"id": "cus_1", "invoice_settings": {"default_payment_method": "pm_new"}}
    changed = translator.translate(
        event(
            "customer.updated", customer, {"invoice_settings": {"default_payment_method": "pm_old"}}
        )
    )
    renamed = translator.translate(event("customer.updated", customer, {"name": "Old name"}))
    assert isinstance(changed, CustomerChanged)
    assert isinstance(renamed, CustomerChanged)
    assert changed.default_payment_method_changed
    assert changed.previous_default_payment_method_id == "pm_old"
    assert not renamed.default_payment_method_changed
    assert changed.customer.tax_ids is None  # webhooks never expand them


def test_a_failed_invoice_carries_the_address_it_was_sent_to() -> None:
    invoice = {"id": "in_1", "customer": "cus_1", "customer_email": "ada@example.com"}
    typed = translator.translate(event("invoice.payment_failed", invoice))
    assert isinstance(typed, InvoiceChanged)
    assert typed.moment is InvoiceMoment.PAYMENT_FAILED
    assert typed.customer_email == "ada@example.com"


def test_tax_id_and_product_events_are_translated() -> None:
    tax_id = {
        "id": "txi_1",
        "object": "tax_id",
        "customer": "cus_1",
        "type": "eu_vat",
        "value": "DE1",
    }
    created = translator.translate(event("customer.tax_id.created", tax_id))
    assert isinstance(created, TaxIdChanged)
    assert (created.change, created.customer_id, created.tax_id.id) == (
        Change.CREATED,
        "cus_1",
        "txi_1",
    )
    product = translator.translate(
        event("product.updated", {"id": "prod_pro", "object": "product", "name": "Pro"})
    )
    assert isinstance(product, ProductChanged)
    assert product.product.name == "Pro"


def test_a_tax_id_naming_no_customer_is_refused() -> None:
    with pytest.raises(InvalidEvent, match="names no customer"):
        translator.translate(event("customer.tax_id.deleted", {"id": "txi_1", "customer": None}))


def test_configuration_edits_are_told_apart_from_bookkeeping() -> None:
    config = {"id": "bpc_1", "metadata": {"catalog_name": "b2b"}}
    edited = translator.translate(
        event("billing_portal.configuration.updated", config, {"features": {}, "updated": 1})
    )
    bookkeeping = translator.translate(
        event("billing_portal.configuration.updated", config, {"updated": 1, "metadata": {}})
    )
    assert isinstance(edited, PortalConfigurationChanged)
    assert isinstance(bookkeeping, PortalConfigurationChanged)
    assert edited.edited_fields == {"features"}
    assert not edited.metadata_changed
    assert bookkeeping.edited_fields == frozenset()
    assert bookkeeping.metadata_changed


def test_a_customer_event_carries_its_string_metadata() -> None:
    customer = {"id": "cus_1", "metadata": {"app_user_id": "u-7", "segment": "b2b", "n": 3}}
    typed = translator.translate(event("customer.created", customer))
    bare = translator.translate(event("customer.created", {"id": "cus_1", "metadata": None}))
    assert isinstance(typed, CustomerChanged)
    assert isinstance(bare, CustomerChanged)
    assert typed.customer.metadata == {"app_user_id": "u-7", "segment": "b2b"}
    assert bare.customer.metadata == {}


def _stripe_checkout_session() -> dict[str, Any]:
    """Stripe's own example object (tests/fixtures/stripe, MIT)."""
    fixtures = Path(__file__).resolve().parents[2] / "fixtures/stripe/fixtures3.json"
    session: dict[str, Any] = json.loads(fixtures.read_text())["resources"]["checkout.session"]
    return session


def test_a_completed_checkout_names_the_app_user_and_the_customer() -> None:
    session = _stripe_checkout_session()
    session.update(
        client_reference_id="u-7", customer={"id": "cus_9", "object": "customer"},
        metadata={"segment": "b2b"},
    )  # fmt: skip
    typed = translator.translate(event("checkout.session.completed", session))
    assert isinstance(typed, CheckoutCompleted)
    assert (typed.session_id, typed.customer_id, typed.client_reference_id) == (
        session["id"],
        "cus_9",
        "u-7",
    )
    assert typed.metadata == {"segment": "b2b"}
    assert "checkout.session.completed" in HANDLED_EVENT_TYPES


def test_a_checkout_without_a_reference_or_a_customer_says_so() -> None:
    typed = translator.translate(event("checkout.session.completed", _stripe_checkout_session()))
    assert isinstance(typed, CheckoutCompleted)
    assert (typed.customer_id, typed.client_reference_id) == (None, None)
