"""Billing-portal configurations (Stripe's rules) and sessions (flows, default, expiry)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import stripe

from stripe_sandbox.testing import RunningSandbox

from .conftest import new_customer, save_dashboard_default

NO_DEFAULT = (
    "No configuration provided and your test mode default configuration has not been created. "
    "Provide a configuration or create your default by saving your customer portal settings."
)


def features(plans: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "invoice_history": {"enabled": True},
        "payment_method_update": {"enabled": True},
        "customer_update": {"enabled": True, "allowed_updates": ["email", "address"]},
        "subscription_cancel": {
            "enabled": True,
            "mode": "at_period_end",
            "cancellation_reason": {"enabled": True, "options": ["too_expensive", "other"]},
        },
        "subscription_update": {
            "enabled": True,
            "default_allowed_updates": ["price"],
            "proration_behavior": "create_prorations",
            "products": [
                {
                    "product": plans["basic"].id,
                    "prices": [plans["basic_monthly"].id, plans["basic_yearly"].id],
                },
                {
                    "product": plans["pro"].id,
                    "prices": [plans["pro_monthly"].id, plans["pro_yearly"].id],
                },
            ],
        },
    }
    base.update(overrides)
    return base


def test_configuration_create_retrieve_update_list(
    client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    config = client.v1.billing_portal.configurations.create(
        params={
            "features": features(plans),
            "business_profile": {"headline": "Acme billing"},
            "default_return_url": "https://app.example/account",
            "metadata": {"v": "1"},
        }
    )
    assert config.id.startswith("bpc_")
    assert config.is_default is False  # only the dashboard's settings are the default
    assert config.features.subscription_cancel.cancellation_reason.options == [
        "too_expensive",
        "other",
    ]
    products = client.v1.billing_portal.configurations.retrieve(
        config.id, params={"expand": ["features.subscription_update.products"]}
    ).features.subscription_update.products
    assert [p.product for p in products] == [plans["basic"].id, plans["pro"].id]
    second = client.v1.billing_portal.configurations.create(
        params={"features": {"invoice_history": {"enabled": True}}}
    )
    assert second.is_default is False
    updated = client.v1.billing_portal.configurations.update(
        second.id,
        params={
            "active": False,
            "features": {"subscription_cancel": {"enabled": True, "mode": "immediately"}},
        },
    )
    assert updated.active is False
    assert updated.features.subscription_cancel.mode == "immediately"
    active = client.v1.billing_portal.configurations.list(params={"active": True})
    assert [c.id for c in active.data] == [config.id]


@pytest.mark.parametrize(
    ("change", "param"),
    [
        (
            {"subscription_cancel": {"enabled": True, "mode": "later"}},
            "features[subscription_cancel][mode]",
        ),
        (
            {
                "subscription_cancel": {
                    "enabled": True,
                    "cancellation_reason": {"enabled": True, "options": ["bored"]},
                }
            },
            "features[subscription_cancel][cancellation_reason][options]",
        ),
        (
            {
                "subscription_update": {
                    "enabled": True,
                    "default_allowed_updates": ["price"],
                    "proration_behavior": "sometimes",
                    "products": [],
                }
            },
            "features[subscription_update][proration_behavior]",
        ),
        (
            {"customer_update": {"enabled": True, "allowed_updates": ["password"]}},
            "features[customer_update][allowed_updates]",
        ),
    ],
)
def test_configuration_validation_rules(
    client: stripe.StripeClient, plans: dict[str, Any], change: dict[str, Any], param: str
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.billing_portal.configurations.create(
            params={"features": features(plans, **change)}
        )
    assert caught.value.http_status == 400
    assert caught.value.param == param


def test_at_most_ten_products_and_prices_must_belong_to_them(
    client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    many = []
    for index in range(11):
        product = client.v1.products.create(params={"name": f"P{index}"})
        price = client.v1.prices.create(
            params={
                "product": product.id,
                "currency": "usd",
                "unit_amount": 100,
                "recurring": {"interval": "month"},
            }
        )
        many.append({"product": product.id, "prices": [price.id]})
    update = {"enabled": True, "default_allowed_updates": ["price"], "products": many}
    with pytest.raises(stripe.InvalidRequestError, match="up to 10 products"):
        client.v1.billing_portal.configurations.create(
            params={"features": features(plans, subscription_update=update)}
        )
    wrong = {
        "enabled": True,
        "default_allowed_updates": ["price"],
        "products": [{"product": plans["basic"].id, "prices": [plans["pro_monthly"].id]}],
    }
    with pytest.raises(stripe.InvalidRequestError, match="does not belong"):
        client.v1.billing_portal.configurations.create(
            params={"features": features(plans, subscription_update=wrong)}
        )


def test_configurations_created_through_the_api_are_never_the_default(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    first = client.v1.billing_portal.configurations.create(params={"features": features(plans)})
    second = client.v1.billing_portal.configurations.create(
        params={"features": {"invoice_history": {"enabled": True}}}
    )
    assert (first.is_default, second.is_default) == (False, False)
    defaults = client.v1.billing_portal.configurations.list(params={"is_default": True})
    assert defaults.data == []

    default = save_dashboard_default(sandbox.store)
    third = client.v1.billing_portal.configurations.create(params={"features": features(plans)})

    assert third.is_default is False
    defaults = client.v1.billing_portal.configurations.list(params={"is_default": True})
    assert [c.id for c in defaults.data] == [default["id"]]
    others = client.v1.billing_portal.configurations.list(params={"is_default": False})
    assert sorted(c.id for c in others.data) == sorted([first.id, second.id, third.id])
    (created,) = [
        e
        for e in client.v1.events.list(params={"type": "billing_portal.configuration.created"}).data
        if e.data.object["id"] == default["id"]
    ]
    assert created.data.object["is_default"] is True
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.billing_portal.configurations.update(default["id"], params={"active": False})
    assert (caught.value.http_status, caught.value.param) == (400, "active")


def test_without_the_dashboard_default_a_session_needs_a_configuration(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer = new_customer(client)
    config = client.v1.billing_portal.configurations.create(params={"features": features(plans)})

    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.billing_portal.sessions.create(params={"customer": customer.id})

    assert (caught.value.http_status, caught.value.code) == (400, None)
    assert caught.value.user_message == NO_DEFAULT
    given = client.v1.billing_portal.sessions.create(
        params={"customer": customer.id, "configuration": config.id}
    )
    assert given.configuration == config.id
    default = save_dashboard_default(sandbox.store)
    session = client.v1.billing_portal.sessions.create(params={"customer": customer.id})
    assert session.configuration == default["id"]


def test_sessions_use_the_default_configuration_and_open_a_hosted_page(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer = new_customer(client)
    client.v1.billing_portal.configurations.create(params={"features": features(plans)})
    default = save_dashboard_default(sandbox.store)
    session = client.v1.billing_portal.sessions.create(
        params={"customer": customer.id, "return_url": "https://app.example/back", "locale": "fr"}
    )
    assert (session.configuration, session.locale, session.flow) == (default["id"], "fr", None)
    assert session.url.startswith(sandbox.url + "/p/session/")
    page = httpx.get(session.url)
    assert page.status_code == 200
    assert 'data-testid="portal-plan"' not in page.text  # no subscription yet
    assert "https://app.example/back" in page.text


def test_unused_sessions_expire_after_five_minutes(
    sandbox: RunningSandbox, client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    config = client.v1.billing_portal.configurations.create(params={"features": features(plans)})
    customer = new_customer(client)
    session = client.v1.billing_portal.sessions.create(
        params={"customer": customer.id, "configuration": config.id}
    )
    sandbox.store.advance(seconds=301)
    assert httpx.get(session.url).status_code == 410  # Gone: it existed, it expired


def test_deep_link_flows_are_validated_and_returned(
    client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    config = client.v1.billing_portal.configurations.create(params={"features": features(plans)})
    customer = new_customer(client)
    sub = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": plans["basic_monthly"].id}]}
    )
    session = client.v1.billing_portal.sessions.create(
        params={
            "customer": customer.id,
            "configuration": config.id,
            "flow_data": {
                "type": "subscription_cancel",
                "subscription_cancel": {"subscription": sub.id},
                "after_completion": {
                    "type": "redirect",
                    "redirect": {"return_url": "https://app.example/done"},
                },
            },
        }
    )
    assert session.flow is not None
    assert session.flow.type == "subscription_cancel"
    assert session.flow.subscription_cancel.subscription == sub.id
    assert session.flow.after_completion.redirect.return_url == "https://app.example/done"
    stranger = new_customer(client)
    with pytest.raises(stripe.InvalidRequestError, match="does not belong to the customer"):
        client.v1.billing_portal.sessions.create(
            params={
                "customer": stranger.id,
                "configuration": config.id,
                "flow_data": {
                    "type": "subscription_update",
                    "subscription_update": {"subscription": sub.id},
                },
            }
        )
