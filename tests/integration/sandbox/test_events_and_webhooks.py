"""Events (filters, previous_attributes) and signed webhook delivery with retries."""

from __future__ import annotations

import dataclasses
from typing import Any

import stripe

from stripe_sandbox import SandboxSettings, WebhookEndpointConfig
from stripe_sandbox.testing import RunningSandbox, running_sandbox

from .conftest import FAST_DELIVERY, eventually, new_customer, sdk
from .receiver import webhook_receiver


def test_changes_emit_stripes_events_with_previous_attributes(
    client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer = new_customer(client)
    sub = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": plans["basic_monthly"].id}]}
    )
    client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": True})
    types = [e.type for e in client.v1.events.list(params={"limit": 100}).data]
    for expected in (
        "customer.created",
        "payment_method.attached",
        "invoice.created",
        "invoice.finalized",
        "invoice.paid",
        "customer.subscription.created",
        "customer.subscription.updated",
    ):
        assert expected in types
    updated = client.v1.events.list(params={"type": "customer.subscription.updated"}).data[0]
    assert updated.data.previous_attributes["cancel_at_period_end"] is False
    assert updated.data.object["cancel_at_period_end"] is True
    assert client.v1.events.retrieve(updated.id).type == "customer.subscription.updated"


def test_event_filters_type_types_and_created(
    client: stripe.StripeClient, plans: dict[str, Any]
) -> None:
    customer = new_customer(client)
    client.v1.customers.update(customer.id, params={"name": "Renamed"})
    wildcard = client.v1.events.list(params={"type": "customer.*"}).data
    assert {e.type for e in wildcard} == {"customer.created", "customer.updated"}
    several = client.v1.events.list(
        params={"types": ["customer.updated", "payment_method.attached"]}
    )
    assert {e.type for e in several.data} == {"customer.updated", "payment_method.attached"}
    newest = several.data[0].created
    assert client.v1.events.list(params={"created": {"gt": newest}}).data == []
    assert client.v1.events.list(params={"created": {"gte": newest}}).data


def test_webhooks_are_signed_and_verify_with_the_sdk(tmp_path: Any) -> None:
    with webhook_receiver() as receiver:
        settings = SandboxSettings(
            state_path=tmp_path / "state.json",
            delivery=FAST_DELIVERY,
            webhook_endpoints=(WebhookEndpointConfig(receiver.url, "whsec_configured"),),
        )
        with running_sandbox(settings) as running:
            client = sdk(running.url)
            customer = new_customer(client)
            assert receiver.wait_for(lambda: len(receiver.deliveries) >= 2)
            events = [
                stripe.Webhook.construct_event(d.body.decode(), d.signature, "whsec_configured")
                for d in receiver.deliveries
            ]
            created = next(e for e in events if e.type == "customer.created")
            assert created.data.object["id"] == customer.id
            assert set(receiver.event_types()) == {"customer.created", "payment_method.attached"}

            def all_delivered() -> bool:
                delivered = client.v1.events.list(params={"delivery_success": True}).data
                return {e.type for e in delivered} == {
                    "customer.created",
                    "payment_method.attached",
                }

            assert eventually(all_delivered)
            assert all(e.pending_webhooks == 0 for e in client.v1.events.list().data)


def test_api_created_endpoints_get_their_own_secret(
    sandbox: RunningSandbox, client: stripe.StripeClient
) -> None:
    with webhook_receiver() as receiver:
        endpoint = client.v1.webhook_endpoints.create(
            params={"url": receiver.url, "enabled_events": ["customer.created"]}
        )
        assert endpoint.secret is not None
        assert endpoint.secret.startswith("whsec_")
        assert "secret" not in client.v1.webhook_endpoints.retrieve(endpoint.id)
        assert [e.id for e in client.v1.webhook_endpoints.list().data] == [endpoint.id]
        client.v1.customers.create(params={"email": "a@example.com", "name": "A"})
        client.v1.customers.update(client.v1.customers.list().data[0].id, params={"name": "B"})
        assert receiver.wait_for(lambda: len(receiver.deliveries) >= 1)
        delivery = receiver.deliveries[0]
        event = stripe.Webhook.construct_event(
            delivery.body.decode(), delivery.signature, endpoint.secret
        )
        assert event.type == "customer.created"
        assert receiver.event_types() == ["customer.created"]
        assert client.v1.webhook_endpoints.delete(endpoint.id).deleted is True


def test_a_failing_endpoint_is_retried_until_it_succeeds(tmp_path: Any) -> None:
    with webhook_receiver(fail_first=2) as receiver:
        settings = SandboxSettings(
            delivery=FAST_DELIVERY,
            webhook_endpoints=(WebhookEndpointConfig(receiver.url, "whsec_retry"),),
        )
        with running_sandbox(settings) as running:
            client = sdk(running.url)
            client.v1.customers.create(params={"email": "retry@example.com"})
            assert receiver.wait_for(lambda: len(receiver.deliveries) == 1)
            assert receiver.attempts == 3
            assert eventually(lambda: client.v1.events.list().data[0].pending_webhooks == 0)
            [event] = client.v1.events.list().data
            record = running.store.snapshot().deliveries[event.id]
            assert [r["attempts"] for r in record.values()] == [3]


def test_an_endpoint_that_never_answers_leaves_the_event_undelivered(tmp_path: Any) -> None:
    with webhook_receiver(fail_first=1000) as receiver:
        policy = dataclasses.replace(FAST_DELIVERY, max_attempts=3)
        settings = SandboxSettings(
            delivery=policy, webhook_endpoints=(WebhookEndpointConfig(receiver.url, "whsec_x"),)
        )
        with running_sandbox(settings) as running:
            client = sdk(running.url)
            client.v1.customers.create(params={"email": "down@example.com"})
            assert receiver.wait_for(lambda: receiver.attempts >= 3)

            def failed() -> bool:
                state = running.store.snapshot()
                return any(
                    r["status"] == "failed" for d in state.deliveries.values() for r in d.values()
                )

            assert eventually(failed)
            undelivered = client.v1.events.list(params={"delivery_success": False}).data
            assert [e.type for e in undelivered] == ["customer.created"]
            assert undelivered[0].pending_webhooks == 1
            assert receiver.deliveries == []
