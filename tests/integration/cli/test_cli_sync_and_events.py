"""``billing-portal sync``, ``worker --once`` and ``events recover|list|show|replay|retry-failed``."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cli_harness import Run, monthly_subscription
from tests.fakes import FakeBillingEventSource

from application.errors import ProviderUnavailable
from domain.billing.customer import MirroredCustomer
from domain.billing.invoice import MirroredInvoice
from domain.billing.payment_method import MirroredPaymentMethod
from domain.billing.subscription import MirroredSubscription, PriceNaming
from domain.billing.version import SourceVersion


def token() -> str:
    return uuid.uuid4().hex[:12]


def one_line_failure(result: Any, code: int, words: str) -> None:
    assert result.exit_code == code, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    assert words in lines[0], lines[0]


def a_stripe_account(source: FakeBillingEventSource, customer_id: str) -> MirroredSubscription:
    read = SourceVersion(at=datetime.now(UTC).replace(microsecond=0))
    sub = MirroredSubscription(
        monthly_subscription(customer_id),
        read,
        prices=(PriceNaming("price_basic_monthly", nickname="Basic"),),
    )
    source.customers[customer_id] = MirroredCustomer(customer_id, read, email="c@example.test")
    source.subscriptions[sub.id] = sub
    source.invoices[f"in_{customer_id}"] = MirroredInvoice(
        f"in_{customer_id}", read, customer_id, created=read.at, status="paid", total=900
    )
    source.payment_methods[f"pm_{customer_id}"] = MirroredPaymentMethod(
        f"pm_{customer_id}", read, customer_id, brand="visa", last4="4242"
    )
    return sub


def test_sync_fills_the_mirror_and_the_portal_rules_read_it(
    run_cli: Run, event_source: FakeBillingEventSource
) -> None:
    user, customer = f"user_{token()}", f"cus_{token()}"
    sub = a_stripe_account(event_source, customer)
    run_cli("customers", "link", user, customer, "--segment", "b2c")

    synced = run_cli("sync")
    again = run_cli("sync", "--customer", customer)
    shown = run_cli("customers", "show", user)

    assert synced.exit_code == 0, synced.output
    assert "customers: 1 read, 1 updated" in synced.stdout
    assert "payment_methods: 1 read, 1 updated" in synced.stdout
    assert again.exit_code == 0, again.output
    assert "subscriptions: 1 read" in again.stdout
    # The fake billing provider knows no subscription: this one comes from the mirror.
    assert f"{sub.id}  active  price_basic_monthly x3" in shown.output
    assert "decision:  open the portal with 'b2c' (segment)" in shown.output


def test_sync_failures_are_one_line(run_cli: Run, event_source: FakeBillingEventSource) -> None:
    one_line_failure(run_cli("sync", "--customer", "sub_123"), 2, "cus_")
    event_source.failure = ProviderUnavailable("could not reach Stripe: connection refused")
    one_line_failure(run_cli("sync"), 1, "could not reach Stripe")


def stripe_event(event_type: str, data: dict[str, Any], event_id: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": data},
    }


def test_recover_the_worker_and_the_event_commands(
    run_cli: Run, event_source: FakeBillingEventSource
) -> None:
    customer = f"cus_{token()}"
    good, bad, odd = (f"evt_{name}_{token()}" for name in ("good", "bad", "odd"))
    event_source.events = [
        stripe_event("customer.created", {"id": customer, "email": "c@example.test"}, good),
        stripe_event("invoice.paid", {"object": "invoice"}, bad),  # no id: cannot be mirrored
        stripe_event("climate.order.created", {"id": "climorder_1"}, odd),
    ]

    recovered = run_cli("events", "recover", "--since", "7d", "--all")
    recovered_again = run_cli("events", "recover", "--all")
    worked = run_cli("worker", "--once")
    listed = run_cli("events", "list", "--limit", "1000")
    failed = run_cli("events", "list", "--status", "failed", "--limit", "1000")
    subscriptions_only = run_cli("events", "list", "--type", "customer.created", "--limit", "1000")
    shown = run_cli("events", "show", bad)

    assert recovered.exit_code == 0, recovered.output
    assert "Stripe listed 3 event(s); 3 were missing" in recovered.output
    assert all(f"queued {e}" in recovered.output for e in (good, bad, odd))
    since, undelivered_only = event_source.event_queries[0]
    assert abs(since - (datetime.now(UTC) - timedelta(days=7))) < timedelta(minutes=1)
    assert undelivered_only is False
    assert "3 were missing" not in recovered_again.output
    assert "0 were missing" in recovered_again.output
    assert worked.exit_code == 0, worked.output
    assert "processed" in worked.output
    lines = {line.split()[0]: line.split()[2] for line in listed.output.splitlines()}
    assert (lines[good], lines[bad], lines[odd]) == ("processed", "failed", "ignored")
    assert bad in failed.output
    assert good not in failed.output
    assert good in subscriptions_only.output
    assert bad not in subscriptions_only.output
    assert shown.exit_code == 0, shown.output
    assert "status:       failed" in shown.output
    assert "last error:   InvalidEvent: the invoice object has no id" in shown.output
    assert '"type": "invoice.paid"' in shown.output

    retried = run_cli("events", "retry-failed")
    replayed = run_cli("events", "replay", good)
    pending = run_cli("events", "list", "--status", "pending", "--limit", "1000")

    assert retried.exit_code == 0, retried.output
    assert "failed event(s) queued again" in retried.output
    assert replayed.exit_code == 0, replayed.output
    assert f"{good} queued again" in replayed.output
    assert bad in pending.output
    assert good in pending.output


def test_recover_asks_only_for_undelivered_events_by_default(
    run_cli: Run, event_source: FakeBillingEventSource
) -> None:
    result = run_cli("events", "recover", "--since", "2026-11-01")

    assert result.exit_code == 0, result.output
    assert "Stripe listed 0 undelivered event(s); 0 were missing" in result.output
    [(_, undelivered_only)] = event_source.event_queries
    assert undelivered_only is True


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("events", "show", "evt_not_there"), "no event 'evt_not_there' in the inbox"),
        (("events", "replay", "evt_not_there"), "no event 'evt_not_there' in the inbox"),
        (("events", "recover", "--since", "last tuesday"), "neither a date (2026-11-01)"),
        (("events", "list", "--status", "lost"), "'lost' is not one of"),
        (("events", "list", "--limit", "0"), "0 is not in the range"),
        (("worker", "--once"), "PORTAL_WORKER_BATCH_SIZE: 0 is outside"),
    ],
)
def test_event_command_mistakes_are_one_line_and_exit_2(
    run_cli: Run, args: tuple[str, ...], words: str
) -> None:
    env = {"PORTAL_WORKER_BATCH_SIZE": "0"} if args[0] == "worker" else {}
    one_line_failure(run_cli(*args, env=env), 2, words)


def test_a_worker_that_cannot_reach_the_database_is_one_line_and_exit_1(run_cli: Run) -> None:
    unreachable = "postgresql+asyncpg://postgres@127.0.0.1:9/nowhere"

    result = run_cli("worker", "--once", env={"PORTAL_DATABASE_URL": unreachable})

    one_line_failure(result, 1, "database failure")
