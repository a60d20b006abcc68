"""``status``, ``audit``, ``emails list|retry``, ``config check`` and ``prune`` on Postgres."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from cli_harness import Run
from sqlalchemy import insert, select

from adapters.persistence import create_engine
from adapters.persistence.tables import email_outbox, portal_access_audit, webhook_events

T = TypeVar("T")


def run_async(work: Coroutine[Any, Any, T]) -> T:
    """Set-up and checks on the database (the CLI runs its own event loop per command)."""
    return asyncio.run(work)


def token() -> str:
    return uuid.uuid4().hex[:12]


async def insert_rows(url: str, table: Any, *rows: dict[str, Any]) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(insert(table), list(rows))
    finally:
        await engine.dispose()


async def column(url: str, table_column: Any) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return set((await connection.execute(select(table_column))).scalars())
    finally:
        await engine.dispose()


def failed_email(key: str, at: datetime) -> dict[str, Any]:
    return {
        "key": key, "template": "plan_changed", "recipient": "a@example.com", "context": {},
        "status": "failed", "attempts": 8, "next_attempt_at": None, "created_at": at,
        "last_error": "the mail server refused",
    }  # fmt: skip


def an_event(event_id: str, status: str, at: datetime) -> dict[str, Any]:
    return {
        "id": event_id, "type": "customer.updated", "created": at, "livemode": False,
        "payload": {"id": event_id}, "status": status, "attempts": 0, "next_attempt_at": at,
        "received_at": at, "processed_at": at,
    }  # fmt: skip


def test_status_shows_mode_schema_configurations_and_queues(run_cli: Run) -> None:
    before = run_cli("status")
    run_cli("configs", "apply")
    after = run_cli("status")

    assert before.exit_code == 0, before.output
    lines = dict(line.split(":", 1) for line in after.output.splitlines())
    assert lines["mode"].strip() == "test"
    assert "reachable, schema" in lines["database"]
    assert "(current;" in lines["database"]
    # before `configs apply` every configuration is to be created; after it, b2b is applied
    # (the fake provider does not round-trip every field of the others)
    assert "configurations: drifted: b2b (create)" in before.output
    assert "b2b (" not in lines["configurations"]
    assert "pending" in lines["inbox"]
    assert "parked as failed" in lines["outbox"]
    assert "last webhook" in lines


def test_status_still_shows_what_it_can_when_the_database_is_down(run_cli: Run) -> None:
    result = run_cli("status", env={"PORTAL_DATABASE_URL": "postgresql://x@127.0.0.1:1/x"})

    assert result.exit_code == 0, result.output
    assert "mode:           test" in result.output
    assert "queues:         unknown:" in result.output


def test_audit_lists_attempts_with_segment_and_totals(run_cli: Run, postgres_url: str) -> None:
    user, now = f"user_{token()}", datetime.now(UTC)
    common = {"user_id": user, "channel": "api", "configuration": None}
    run_async(insert_rows(
        postgres_url,
        portal_access_audit,
        {**common, "occurred_at": now - timedelta(minutes=5), "outcome": "portal",
         "decision": "segment", "segment": "b2b", "configuration": "b2b"},
        {**common, "occurred_at": now - timedelta(days=3), "outcome": "redirect",
         "decision": "never_subscribed", "segment": "b2b"},
    ))  # fmt: skip

    recent = run_cli("audit", "--user", user, "--since", "1d")
    everything = run_cli("audit", "--user", user, "--json")

    assert recent.exit_code == 0, recent.output
    assert "segment " in recent.output
    assert "never_subscribed" not in recent.output
    assert "1 attempt(s):" in recent.output
    assert "portal   segment" in recent.output
    assert "segment b2b" in recent.output
    rows = [json.loads(line) for line in everything.output.splitlines()]
    assert [(r["outcome"], r["decision"], r["segment"]) for r in rows] == [
        ("portal", "segment", "b2b"), ("redirect", "never_subscribed", "b2b"),
    ]  # fmt: skip
    bad = run_cli("audit", "--since", "yesterday")
    assert bad.exit_code == 2
    assert bad.stderr.startswith("error: ")


def test_emails_list_and_retry(run_cli: Run, postgres_url: str) -> None:
    key = f"evt_{token()}:plan_changed"
    run_async(insert_rows(postgres_url, email_outbox, failed_email(key, datetime.now(UTC))))

    listed = run_cli("emails", "list", "--status", "failed")
    retried = run_cli("emails", "retry", key)
    pending = run_cli("emails", "list", "--status", "pending", "--limit", "1000")
    unknown = run_cli("emails", "retry", "no_such_key")
    neither = run_cli("emails", "retry")

    assert key in listed.output
    assert "the mail server refused" in listed.output
    assert retried.output.strip() == "1 email(s) queued again; the workers send them"
    assert key in pending.output
    assert unknown.exit_code == 2
    assert "no email 'no_such_key'" in unknown.stderr
    assert neither.exit_code == 2
    assert "--failed" in neither.stderr


def test_config_check_names_each_bad_setting(run_cli: Run) -> None:
    result = run_cli(
        "config", "check", env={"PORTAL_RATE_LIMIT": "many", "PORTAL_RETAIN_INBOX_DAYS": "7"}
    )

    assert result.exit_code == 2
    failures = [line for line in result.output.splitlines() if "FAIL" in line]
    assert len(failures) == 2
    assert any("PORTAL_RATE_LIMIT" in line for line in failures)
    assert any("PORTAL_RETAIN_INBOX_DAYS" in line and "30" in line for line in failures)


def test_config_check_reaches_database_stripe_and_mail(run_cli: Run) -> None:
    env = {"STRIPE_API_BASE": "http://127.0.0.1:1", "STRIPE_MAX_NETWORK_RETRIES": "0"}
    result = run_cli("config", "check", env=env)

    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("settings: ok")
    assert lines[1].startswith("database: ok reachable, schema")
    assert lines[2].startswith("stripe: FAIL could not reach Stripe")
    assert lines[3].startswith("mail: ok writing .eml files to")
    assert len(lines) == 4


def test_prune_dry_run_counts_then_removes_old_processed_events(
    run_cli: Run, postgres_url: str
) -> None:
    long_ago = datetime(2001, 1, 1, tzinfo=UTC)
    old, kept = f"evt_{token()}", f"evt_{token()}"
    run_async(
        insert_rows(
            postgres_url,
            webhook_events,
            an_event(old, "processed", long_ago),
            {**an_event(kept, "failed", long_ago), "processed_at": None},
        )
    )

    dry = run_cli("prune", "--dry-run")
    assert old in run_async(column(postgres_url, webhook_events.c.id))
    done = run_cli("prune", "--batch-size", "1")
    refused = run_cli("prune", "--inbox-days", "10")

    assert dry.exit_code == 0, dry.output
    assert "inbox: would remove" in dry.output
    assert "inbox: removed" in done.output
    assert "older than 35 days" in done.output
    remaining = run_async(column(postgres_url, webhook_events.c.id))
    assert old not in remaining
    assert kept in remaining
    assert refused.exit_code == 2
    assert "at least 30 days" in refused.stderr
