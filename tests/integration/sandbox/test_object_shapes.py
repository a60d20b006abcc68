"""Every object the sandbox returns has exactly the keys and nesting of Stripe's example.

The reference is Stripe's ``fixtures3.json``, vendored in ``tests/fixtures/stripe/``.
Rules: same keys at every level of a hash; a null stands for an unset value of any type;
list items are compared with the example's first item; free-form hashes (metadata,
previous_attributes) and hashes the example leaves empty are not compared key by key.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

from stripe_sandbox import seed_demo
from stripe_sandbox.objects import blank, template_kinds
from stripe_sandbox.testing import RunningSandbox

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "stripe" / "fixtures3.json"
FREE_FORM = {"metadata", "previous_attributes"}
AUTH = {"Authorization": "Bearer sk_test_shapes"}


@cache
def stripe_examples() -> dict[str, Any]:
    resources: dict[str, Any] = json.loads(FIXTURES.read_text())["resources"]
    return resources


def example_for(obj: dict[str, Any]) -> Any:
    kind = obj["object"]
    if obj.get("deleted"):
        kind = f"deleted_{kind}"
    return stripe_examples()[kind]


def shape_errors(ours: Any, example: Any, path: str = "$") -> list[str]:
    if ours is None or example is None:
        return []
    if isinstance(example, dict):
        if not isinstance(ours, dict):
            return [f"{path}: expected a hash, got {type(ours).__name__}"]
        if path.rsplit(".", 1)[-1] in FREE_FORM or not example:
            return []
        errors = [f"{path}: missing key {k}" for k in example if k not in ours]
        errors += [f"{path}: extra key {k}" for k in ours if k not in example]
        for key in [k for k in example if k in ours]:
            errors += shape_errors(ours[key], example[key], f"{path}.{key}")
        return errors
    if isinstance(example, list):
        if not isinstance(ours, list):
            return [f"{path}: expected a list, got {type(ours).__name__}"]
        return [
            e
            for i, item in enumerate(ours)
            if example
            for e in shape_errors(item, example[0], f"{path}[{i}]")
        ]
    number = (int, float)
    same = isinstance(ours, number) if isinstance(example, number) else type(ours) is type(example)
    return (
        [] if same else [f"{path}: {type(ours).__name__} where Stripe has {type(example).__name__}"]
    )


def test_the_shape_check_itself_catches_missing_and_extra_keys() -> None:
    example = {"a": 1, "b": {"c": None}, "d": [{"e": "x"}]}
    assert shape_errors({"a": 2, "b": {"c": 3}, "d": [{"e": "y"}]}, example) == []
    assert shape_errors({"a": 2, "b": {}, "d": [{"e": "y", "f": 1}]}, example) == [
        "$.b: missing key c",
        "$.d[0]: extra key f",
    ]
    assert shape_errors({"a": "2", "b": None, "d": []}, example) == [
        "$.a: str where Stripe has int"
    ]


@pytest.mark.parametrize(
    "kind", [k for k in template_kinds() if k in json.loads(FIXTURES.read_text())["resources"]]
)
def test_every_shipped_template_matches_stripes_example(kind: str) -> None:
    assert shape_errors(envelope(blank(kind)), stripe_examples()[kind]) == []


def envelope(obj: dict[str, Any]) -> dict[str, Any]:
    """An event without its payload (checked on its own) and previous attributes (Stripe's
    example event has none; the next test checks they are the only addition)."""
    if obj["object"] != "event":
        return obj
    return {**obj, "data": {"object": None}}


def everything_the_api_returns(sandbox: RunningSandbox) -> list[dict[str, Any]]:
    """Seed the demo, then collect every object every list and retrieve endpoint shows."""
    seed_demo(sandbox.store)
    store = sandbox.store
    config = store.create_portal_configuration(
        {
            "features": {
                "invoice_history": {"enabled": True},
                "payment_method_update": {"enabled": True},
            }
        }
    )
    customer_id = store.snapshot().demo_records[0]["customer_id"]
    session = store.create_portal_session(
        {
            "customer": customer_id,
            "flow_data": {
                "type": "payment_method_update",
                "after_completion": {"type": "hosted_confirmation"},
            },
        }
    )
    assert session["flow"] is not None
    endpoint = store.create_webhook_endpoint(
        {"url": "http://127.0.0.1:9/x", "enabled_events": ["*"]}
    )
    store.update_customer(customer_id, {"name": "Shape Checked"})
    kept = store.create_tax_id(customer_id, {"type": "eu_vat", "value": "DE123456789"})
    dropped = store.create_tax_id(customer_id, {"type": "us_ein", "value": "12-3456789"})
    objects_extra = [kept, store.delete_tax_id(customer_id, dropped["id"])]
    live = store.list_subscriptions({"customer": customer_id})["data"][0]
    schedule = store.create_subscription_schedule({"from_subscription": live["id"]})
    price = live["items"]["data"][0]["price"]["id"]
    quantity = str(live["items"]["data"][0]["quantity"])
    phase = schedule["phases"][0]
    store.update_subscription_schedule(
        schedule["id"],
        {
            "phases": [
                {
                    "items": [{"price": price, "quantity": quantity}],
                    "start_date": str(phase["start_date"]),
                    "end_date": str(phase["end_date"]),
                },
                {"items": [{"price": price, "quantity": "7"}], "iterations": "1"},
            ]
        },
    )
    gone = store.delete_customer(store.create_customer({"email": "gone@example.com"})["id"])
    objects: list[dict[str, Any]] = [config, session, gone, *objects_extra]
    objects.append({k: v for k, v in endpoint.items() if k != "secret"})
    objects.append(
        store.delete_webhook_endpoint(
            store.create_webhook_endpoint({"url": "http://127.0.0.1:9/y", "enabled_events": ["*"]})[
                "id"
            ]
        )
    )
    for path in (
        "customers",
        "products",
        "prices",
        "subscriptions?status=all",
        "invoices",
        "billing_portal/configurations",
        "events",
        "webhook_endpoints",
        f"payment_methods?customer={customer_id}",
        f"customers/{customer_id}/tax_ids",
        "subscription_schedules",
    ):
        url = f"{sandbox.url}/v1/{path}{'&' if '?' in path else '?'}limit=100"
        page = httpx.get(url, headers=AUTH).json()
        assert page["object"] == "list"
        objects.extend(page["data"])
    for event in [o for o in objects if o["object"] == "event"]:
        objects.append(event["data"]["object"])
    return objects


def test_every_returned_object_and_event_matches_stripes_example(sandbox: RunningSandbox) -> None:
    objects = everything_the_api_returns(sandbox)
    kinds = {o["object"] + (" (deleted)" if o.get("deleted") else "") for o in objects}
    assert kinds >= {
        "customer",
        "customer (deleted)",
        "product",
        "price",
        "subscription",
        "invoice",
        "payment_method",
        "billing_portal.configuration",
        "billing_portal.session",
        "event",
        "webhook_endpoint",
        "webhook_endpoint (deleted)",
        "tax_id",
        "tax_id (deleted)",
        "subscription_schedule",
    }
    errors = [
        f"{o['object']} {o['id']}: {e}"
        for o in objects
        for e in shape_errors(envelope(o), example_for(o))
    ]
    assert errors == []


def test_event_envelopes_only_add_previous_attributes_to_data(sandbox: RunningSandbox) -> None:
    objects = everything_the_api_returns(sandbox)
    events = [o for o in objects if o["object"] == "event"]
    assert any("previous_attributes" in e["data"] for e in events)
    for event in events:
        assert set(event) == set(stripe_examples()["event"])
        assert set(event["data"]) <= {"object", "previous_attributes"}
        assert event["api_version"] == "2026-10-28.endive"
