"""The demo customers, one per portal situation, as timed steps of their history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from . import customers, payment_methods, subscription_updates, subscriptions
from .ledger import Ledger
from .periods import DAY, add_interval

Step = tuple[int, Callable[[Ledger], None]]


@dataclass(frozen=True)
class DemoRecord:
    """A demo customer: the project links ``user_id`` to ``customer_id`` in its database."""

    user_id: str
    email: str
    name: str
    segment: str  # "b2c" | "b2b" | "enterprise"
    customer_id: str
    description: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class DemoCustomer:
    """Builds one demo customer's history; the record is added when the customer exists."""

    def __init__(
        self,
        records: list[DemoRecord],
        prices: dict[str, str],
        user_id: str,
        name: str,
        segment: str,
        description: str,
    ) -> None:
        self.records, self.prices = records, prices
        self.user_id, self.name, self.segment, self.description = (
            user_id,
            name,
            segment,
            description,
        )
        self.email = f"{user_id.removeprefix('user_').replace('_', '-')}@demo.example"
        self.customer_id = ""
        self.sub_ids: list[str] = []

    def create(self, ledger: Ledger, card: str | None = "pm_card_visa") -> None:
        params: dict[str, Any] = {
            "email": self.email,
            "name": self.name,
            "metadata": {"demo_user": self.user_id},
        }
        if card is not None:
            params.update(payment_method=card, invoice_settings={"default_payment_method": card})
        self.customer_id = customers.create(ledger, params)["id"]
        self.records.append(
            DemoRecord(
                self.user_id,
                self.email,
                self.name,
                self.segment,
                self.customer_id,
                self.description,
            )
        )

    def subscribe(self, ledger: Ledger, price_key: str, quantity: int = 1, **extra: Any) -> None:
        params = {
            "customer": self.customer_id,
            **extra,
            "items": [{"price": self.prices[price_key], "quantity": quantity}],
        }
        self.sub_ids.append(subscriptions.create(ledger, params)["id"])

    def switch_card(self, ledger: Ledger, token: str) -> None:
        pm = payment_methods.attach(ledger, token, {"customer": self.customer_id})
        customers.update(
            ledger, self.customer_id, {"invoice_settings": {"default_payment_method": pm["id"]}}
        )

    def update(self, ledger: Ledger, params: dict[str, Any], index: int = 0) -> None:
        subscription_updates.update(ledger, self.sub_ids[index], params)

    def cancel_now(self, ledger: Ledger, comment: str) -> None:
        subscriptions.cancel(
            ledger,
            self.sub_ids[0],
            {"cancellation_details": {"feedback": "too_expensive", "comment": comment}},
        )


def demo_steps(now: int, prices: dict[str, str], records: list[DemoRecord]) -> list[Step]:
    """Every demo customer's history as (moment, step) pairs."""

    def person(user_id: str, name: str, segment: str, description: str) -> DemoCustomer:
        return DemoCustomer(records, prices, user_id, name, segment, description)

    def months_ago(count: int) -> int:
        return add_interval(now, "month", -count)

    b2c = person("user_b2c", "Bea Consumer", "b2c", "B2C, Basic monthly, active")
    b2b = person("user_b2b", "Acme GmbH", "b2b", "B2B, Pro yearly x5 seats, two months old")
    ent = person(
        "user_enterprise",
        "Globex Corp",
        "enterprise",
        "Enterprise, Pro yearly x25 seats, renewed once (over a year old)",
    )
    past_due = person(
        "user_past_due",
        "Pat Due",
        "b2c",
        "B2C, Basic monthly, past_due: renewal failed on card ending 0341",
    )
    incomplete = person(
        "user_incomplete",
        "Ivy Incomplete",
        "b2c",
        "B2C, Pro monthly, incomplete: first payment failed, invoice open",
    )
    expired = person(
        "user_canceled",
        "Carl Canceled",
        "b2c",
        "B2C, Basic monthly, canceled and expired more than a period ago",
    )
    ending = person(
        "user_cancel_scheduled",
        "Sam Scheduled",
        "b2c",
        "B2C, Pro monthly, set to cancel at period end (can undo)",
    )
    trial = person("user_trialing", "Tia Trial", "b2c", "B2C, Pro monthly, 14-day trial")
    two = person(
        "user_two_subs",
        "Twin Labs",
        "b2b",
        "B2B, two live subscriptions: Pro monthly x3 and Basic yearly",
    )
    nothing = person("user_no_sub", "Nora None", "b2c", "B2C, a card but no subscription")
    return [
        (now - 10 * DAY, b2c.create),
        (now - 10 * DAY, lambda lg: b2c.subscribe(lg, "basic_monthly")),
        (months_ago(2), b2b.create),
        (months_ago(2), lambda lg: b2b.subscribe(lg, "pro_yearly", 5)),
        (months_ago(14), ent.create),
        (months_ago(14), lambda lg: ent.subscribe(lg, "pro_yearly", 25)),
        (now - 40 * DAY, past_due.create),
        (now - 40 * DAY, lambda lg: past_due.subscribe(lg, "basic_monthly")),
        (now - 39 * DAY, lambda lg: past_due.switch_card(lg, "pm_card_chargeCustomerFail")),
        (now - 3600, lambda lg: incomplete.create(lg, "pm_card_chargeCustomerFail")),
        (now - 3600, lambda lg: incomplete.subscribe(lg, "pro_monthly")),
        (months_ago(5), expired.create),
        (months_ago(5), lambda lg: expired.subscribe(lg, "basic_monthly")),
        (months_ago(3), lambda lg: expired.cancel_now(lg, "Switching to a competitor")),
        (now - 12 * DAY, ending.create),
        (now - 12 * DAY, lambda lg: ending.subscribe(lg, "pro_monthly")),
        (
            now - 2 * DAY,
            lambda lg: ending.update(
                lg, {"cancel_at_period_end": True, "cancellation_details": {"feedback": "unused"}}
            ),
        ),
        (now - 3 * DAY, trial.create),
        (now - 3 * DAY, lambda lg: trial.subscribe(lg, "pro_monthly", trial_period_days=14)),
        (months_ago(1) - 5 * DAY, two.create),
        (months_ago(1) - 5 * DAY, lambda lg: two.subscribe(lg, "pro_monthly", 3)),
        (months_ago(1) - 5 * DAY, lambda lg: two.subscribe(lg, "basic_yearly")),
        (now - 20 * DAY, nothing.create),
    ]
