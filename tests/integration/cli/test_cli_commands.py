"""``billing-portal``: support and operator commands; every failure is one line."""

from __future__ import annotations

import re
import uuid

import pytest
from cli_harness import Run, monthly_subscription
from tests.fakes import FakeBillingProvider

from application.errors import ProviderUnavailable


def new_user() -> tuple[str, str]:
    token = uuid.uuid4().hex[:12]
    return f"user_{token}", f"cus_{token}"


def assert_one_line_failure(result: object, code: int, words: str) -> None:
    assert result.exit_code == code, result.output  # type: ignore[attr-defined]
    lines = result.stderr.splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    assert words in lines[0]


def test_help_lists_the_commands(run_cli: Run) -> None:
    result = run_cli("--help")

    assert result.exit_code == 0
    for command in ("serve", "db", "customers", "api-keys", "portal-url", "configs"):
        assert command in result.output


def test_db_upgrade_migrates_an_empty_database(run_cli: Run, empty_postgres_url: str) -> None:
    result = run_cli("db", "upgrade", env={"PORTAL_DATABASE_URL": empty_postgres_url})

    assert result.exit_code == 0, result.output
    assert "is at revision" in result.output
    assert "None" not in result.output


def test_support_links_a_customer_and_sees_the_decision(
    run_cli: Run, billing: FakeBillingProvider
) -> None:
    user, customer = new_user()
    subscription = monthly_subscription(customer)
    billing.subscriptions[customer] = [subscription]

    linked = run_cli("customers", "link", user, customer, "--segment", "b2b", "--email", "a@b.co")
    shown = run_cli("customers", "show", user)

    assert linked.exit_code == 0, linked.output
    assert f"linked user {user} to {customer}" in linked.output
    assert shown.exit_code == 0, shown.output
    assert customer in shown.output
    assert "a@b.co" in shown.output
    assert f"{subscription.id}  active  price_basic_monthly x3" in shown.output
    assert "period ends" in shown.output
    assert "decision:  open the portal with 'b2b' (segment)" in shown.output


def test_show_explains_a_redirect(run_cli: Run) -> None:
    user, customer = new_user()
    run_cli("customers", "link", user, customer, "--segment", "b2c")

    shown = run_cli("customers", "show", user)

    assert "redirect to /pricing (never_subscribed): the customer never subscribed" in shown.output


@pytest.mark.parametrize(
    ("args", "env", "words"),
    [
        (("customers", "link", "u1", "not-a-customer", "--segment", "b2b"), {}, "cus_"),
        (("customers", "link", "u1", "cus_X1", "--segment", "vip"), {}, "unknown segment 'vip'"),
        (("customers", "show", "nobody_here"), {}, "no customer link for user 'nobody_here'"),
        (("customers", "link", "u1"), {}, "Missing argument 'CUSTOMER_ID'"),
        (("portal-url", "u1", "--flow", "teleport"), {}, "'teleport' is not one of"),
        (("customers", "show", "u1"), {"PORTAL_PORT": "http"}, "PORTAL_PORT: 'http' is not"),
        (("portal-url", "nobody_here"), {}, "has no billing account"),
        (("serve",), {"PORTAL_CATALOG_PATH": "/nowhere/catalog.toml"}, "catalog not found"),
        (("serve", "--workers", "0"), {}, "0 is not in the range 1<=x<=64"),
        (("worker", "--worker-id", "w" * 201), {}, "--worker-id: must be 1 to 200 characters"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    run_cli: Run, args: tuple[str, ...], env: dict[str, str], words: str
) -> None:
    assert_one_line_failure(run_cli(*args, env=env), 2, words)


def test_an_unreachable_provider_is_one_line_and_exit_1(
    run_cli: Run, billing: FakeBillingProvider
) -> None:
    user, customer = new_user()
    run_cli("customers", "link", user, customer, "--segment", "b2c")
    billing.failure = ProviderUnavailable("could not reach Stripe: connection refused")

    assert_one_line_failure(run_cli("customers", "show", user), 1, "could not reach Stripe")


def test_configs_plan_apply_list_and_a_portal_url_for_support(
    run_cli: Run, billing: FakeBillingProvider
) -> None:
    planned = run_cli("configs", "plan")
    applied = run_cli("configs", "apply")
    listed = run_cli("configs", "list")
    replanned = run_cli("configs", "plan")

    # Pending changes exit 3, so CI can gate on drift; nothing to change exits 0.
    assert planned.exit_code == 3, planned.output
    assert "b2b: create" in planned.output
    assert "+ features.subscription_cancel.mode = 'at_period_end'" in planned.output
    assert "run `billing-portal configs apply`" in planned.output
    assert applied.exit_code == 0, applied.output
    assert "5 provider write(s)" in applied.output
    assert all(f"{name} " in listed.output for name in ("b2b", "b2c", "payment_methods_only"))
    assert "not_applied" not in listed.output
    assert "b2b: unchanged" in replanned.output
    assert replanned.exit_code == 0, replanned.output

    user, customer = new_user()
    billing.subscriptions[customer] = [monthly_subscription(customer)]
    run_cli("customers", "link", user, customer, "--segment", "b2c")
    url = run_cli("portal-url", user, "--return-path", "/billing")

    assert url.exit_code == 0, url.output
    assert re.fullmatch(r"https://billing\.stripe\.test/p/session_\d+", url.output.splitlines()[0])
    assert len(billing.session_requests) == 1
    assert billing.session_requests[-1].customer_id == customer
