"""What the sandbox keeps between reads: when the clock's next action falls due (so a read
before then skips the scan of every subscription and invoice) and indexes for lists. Whatever
changes the state must make it look again."""

from __future__ import annotations

from pathlib import Path

from stripe_sandbox import SandboxStore

DAY = 86_400


class WallClock:
    def __init__(self) -> None:
        self.now = 1_767_225_600.0  # 2026-01-01

    def __call__(self) -> float:
        return self.now


def subscribed(store: SandboxStore) -> tuple[str, int]:
    product = store.create_product({"name": "Basic"})
    price = store.create_price(
        {
            "product": product["id"],
            "currency": "usd",
            "unit_amount": "900",
            "recurring": {"interval": "month"},
        }
    )
    customer = store.create_customer(
        {
            "payment_method": "pm_card_visa",
            "invoice_settings": {"default_payment_method": "pm_card_visa"},
        }
    )
    sub = store.create_subscription({"customer": customer["id"], "items": [{"price": price["id"]}]})
    return sub["id"], sub["items"]["data"][0]["current_period_end"]


def test_reads_between_due_moments_leave_the_state_alone_and_the_real_clock_still_renews(
    tmp_path: Path,
) -> None:
    wall = WallClock()
    store = SandboxStore(tmp_path / "state.json", wall_clock=wall)
    sub_id, period_end = subscribed(store)
    assert (
        store.retrieve("subscription", sub_id)["items"]["data"][0]["current_period_end"]
        == period_end
    )
    wall.now += 10 * DAY  # before the renewal: nothing runs
    assert store.retrieve("subscription", sub_id)["latest_invoice"] is not None
    assert len(store.list_invoices({"limit": "10"})["data"]) == 1
    wall.now = period_end + 1.0  # wall time, not advance(): the read itself must catch up
    renewed = store.retrieve("subscription", sub_id)
    assert renewed["items"]["data"][0]["current_period_start"] == period_end
    assert len(store.list_invoices({"limit": "10"})["data"]) == 2


def test_a_write_after_a_read_with_nothing_due_makes_the_clock_look_again(tmp_path: Path) -> None:
    wall = WallClock()
    store = SandboxStore(tmp_path / "state.json", wall_clock=wall)
    store.create_customer({})
    store.list_customers({"limit": "1"})  # nothing is due, ever, in this state
    sub_id, period_end = subscribed(store)  # writes: a renewal is due now
    wall.now = period_end + 1.0
    renewed = store.retrieve("subscription", sub_id)
    assert renewed["items"]["data"][0]["current_period_start"] == period_end


def test_a_change_another_process_made_to_the_state_file_is_caught_up_on(tmp_path: Path) -> None:
    wall = WallClock()
    path = tmp_path / "state.json"
    reader = SandboxStore(path, wall_clock=wall)
    reader.list_customers({"limit": "1"})  # empty state: nothing due
    writer = SandboxStore(path, wall_clock=wall)
    sub_id, period_end = subscribed(writer)
    wall.now = period_end + 1.0
    renewed = reader.retrieve("subscription", sub_id)
    assert renewed["items"]["data"][0]["current_period_start"] == period_end


def test_lists_read_after_a_write_show_it(tmp_path: Path) -> None:
    """The indexes kept for reads (a customer's payment methods, a kind newest first) are
    built again after any write."""
    store = SandboxStore(tmp_path / "state.json", wall_clock=WallClock())
    first = store.create_customer({})
    assert [c["id"] for c in store.list_customers({"limit": "10"})["data"]] == [first["id"]]
    assert store.list_customer_payment_methods(first["id"], {})["data"] == []
    second = store.create_customer({})
    listed = [c["id"] for c in store.list_customers({"limit": "10"})["data"]]
    assert listed == [second["id"], first["id"]]
    card = store.attach_payment_method("pm_card_visa", {"customer": first["id"]})
    owned = store.list_customer_payment_methods(first["id"], {})["data"]
    assert [pm["id"] for pm in owned] == [card["id"]]
    store.detach_payment_method(card["id"])
    assert store.list_customer_payment_methods(first["id"], {})["data"] == []
