"""State survives restarts; reset empties it; the seed covers every portal situation."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import stripe

from stripe_sandbox import DemoRecord, SandboxError, SandboxSettings, SandboxStore, seed_demo
from stripe_sandbox.testing import running_sandbox

from .conftest import FAST_DELIVERY, save_dashboard_default, sdk


def test_state_persists_across_a_restart(tmp_path: Path) -> None:
    settings = SandboxSettings(state_path=tmp_path / "var" / "state.json", delivery=FAST_DELIVERY)
    with running_sandbox(settings) as first:
        customer = sdk(first.url).v1.customers.create(params={"email": "keep@example.com"})
        first.store.advance(days=3)
    assert sorted(p.name for p in (tmp_path / "var").iterdir()) == ["state.json", "state.json.lock"]
    with running_sandbox(settings) as second:
        client = sdk(second.url)
        assert client.v1.customers.retrieve(customer.id).email == "keep@example.com"
        assert second.store.now() - customer.created >= 3 * 86400


def test_a_second_process_sees_the_first_ones_writes(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    server_side, cli_side = SandboxStore(path), SandboxStore(path)
    created = cli_side.create_customer({"email": "cli@example.com"})
    assert server_side.retrieve("customer", created["id"])["email"] == "cli@example.com"


def test_a_failed_operation_changes_nothing(tmp_path: Path) -> None:
    store = SandboxStore(tmp_path / "state.json")
    customer = store.create_customer({"email": "a@example.com"})
    before = (tmp_path / "state.json").read_bytes()
    with pytest.raises(SandboxError):
        store.update_customer(
            customer["id"],
            {"name": "B", "invoice_settings": {"default_payment_method": "pm_missing"}},
        )
    assert store.retrieve("customer", customer["id"])["name"] is None
    assert (tmp_path / "state.json").read_bytes() == before


def test_reset_forgets_everything_but_the_configured_endpoints(tmp_path: Path) -> None:
    settings = SandboxSettings(state_path=tmp_path / "state.json")
    with running_sandbox(settings) as running:
        client = sdk(running.url)
        client.v1.customers.create(params={"email": "gone@example.com"})
        running.store.advance(days=1)
        response = httpx.post(f"{running.url}/_sandbox/reset")
        assert response.status_code == 200
        assert client.v1.customers.list().data == []
        assert running.store.snapshot().clock_offset == 0


def test_the_seed_covers_every_portal_situation(tmp_path: Path) -> None:
    settings = SandboxSettings(state_path=tmp_path / "state.json")
    with running_sandbox(settings) as running:
        client = sdk(running.url)
        response = httpx.post(f"{running.url}/_sandbox/seed")
        records = {r["user_id"]: r for r in response.json()["records"]}
        assert {r["segment"] for r in records.values()} == {"b2c", "b2b", "enterprise"}
        now = running.store.now()

        def subs(user: str) -> list[stripe.Subscription]:
            customer = records[user]["customer_id"]
            return client.v1.subscriptions.list(
                params={"customer": customer, "status": "all", "expand": ["data.latest_invoice"]}
            ).data

        assert [s.status for s in subs("user_b2c")] == ["active"]
        [b2b] = subs("user_b2b")
        assert b2b["items"].data[0].price.recurring.interval == "year"
        assert 55 * 86400 <= now - b2b.start_date <= 63 * 86400
        [enterprise] = subs("user_enterprise")
        assert now - enterprise.start_date > 365 * 86400
        assert enterprise.status == "active"
        [past_due] = subs("user_past_due")
        assert past_due.status == "past_due"
        assert past_due.latest_invoice.status == "open"
        [incomplete] = subs("user_incomplete")
        assert incomplete.status == "incomplete"
        assert incomplete.latest_invoice.hosted_invoice_url.startswith(running.url)
        [expired] = subs("user_canceled")
        assert expired.status == "canceled"
        period = expired["items"].data[0]
        assert now - expired.ended_at > period.current_period_end - period.current_period_start
        assert [s.status for s in subs("user_two_subs")] == ["active", "active"]
        assert subs("user_no_sub") == []
        [scheduled] = subs("user_cancel_scheduled")
        assert scheduled.cancel_at_period_end is True
        assert [s.status for s in subs("user_trialing")] == ["trialing"]
        keys = {p.lookup_key for p in client.v1.prices.list(params={"limit": 100}).data}
        assert {"basic_monthly", "basic_yearly", "pro_monthly", "pro_yearly"} <= keys
        metered = client.v1.prices.list(params={"lookup_keys": ["api_calls_metered"]}).data
        assert metered[0].recurring.usage_type == "metered"


def test_seeding_twice_returns_the_same_records_and_changes_nothing(tmp_path: Path) -> None:
    store = SandboxStore(tmp_path / "state.json")
    first = seed_demo(store)
    count = len(store.snapshot().table("customer"))
    again = seed_demo(SandboxStore(tmp_path / "state.json"))
    assert again == first
    assert all(isinstance(r, DemoRecord) for r in again)
    assert len(store.snapshot().table("customer")) == count


def test_the_seed_saves_exactly_one_default_portal_configuration(tmp_path: Path) -> None:
    store = SandboxStore(tmp_path / "state.json")
    records = seed_demo(store)
    seed_demo(store)

    configs = list(store.snapshot().table("billing_portal.configuration").values())
    (default,) = configs  # the dashboard's settings, and nothing the catalog would create
    assert (default["is_default"], default["active"]) == (True, True)
    enabled = {name for name, feature in default["features"].items() if feature["enabled"]}
    assert enabled == {"invoice_history", "payment_method_update"}
    session = store.create_portal_session({"customer": records[0].customer_id})
    assert session["configuration"] == default["id"]
    assert save_dashboard_default(store)["id"] == default["id"]  # saving again keeps the one
    assert len(store.snapshot().table("billing_portal.configuration")) == 1


def test_concurrent_requests_all_land(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    settings = SandboxSettings(state_path=tmp_path / "state.json")
    with running_sandbox(settings) as running:
        client = sdk(running.url)
        with ThreadPoolExecutor(max_workers=8) as pool:
            ids = list(
                pool.map(
                    lambda i: client.v1.customers.create(params={"email": f"c{i}@example.com"}).id,
                    range(24),
                )
            )
        listed = {c.id for c in client.v1.customers.list(params={"limit": 100}).data}
        assert listed == set(ids)
    assert set(SandboxStore(tmp_path / "state.json").snapshot().table("customer")) == set(ids)
