"""``api-keys create|list|revoke`` and ``customers list|unlink``, on a database of their own."""

from __future__ import annotations

import asyncio

import pytest
from cli_harness import Run
from sqlalchemy import select

from adapters.persistence import create_engine
from adapters.persistence.tables import customer_link_audit


@pytest.fixture
def run_fresh(run_cli: Run, empty_postgres_url: str) -> Run:
    """The CLI on a freshly migrated database nobody else writes to."""
    env = {"PORTAL_DATABASE_URL": empty_postgres_url}
    assert run_cli("db", "upgrade", env=env).exit_code == 0

    def run(*args: str) -> object:
        return run_cli(*args, env=env)

    return run  # type: ignore[return-value]


def test_api_keys_are_shown_once_listed_without_the_key_and_revoked(run_fresh: Run) -> None:
    created = run_fresh("api-keys", "create", "--name", "web app")
    key_id = created.output.split()[3]
    key = created.output.strip().splitlines()[-1]
    listed = run_fresh("api-keys", "list")
    revoked = run_fresh("api-keys", "revoke", key_id)
    after = run_fresh("api-keys", "list")

    assert created.exit_code == 0, created.output
    assert key.startswith("bpk_")
    assert "not shown again" in created.output
    assert f"{key_id}  active  {key[:8]}...  web app" in listed.output
    assert key not in listed.output
    assert revoked.exit_code == 0, revoked.output
    assert f"revoked API key {key_id} (web app)" in revoked.output
    assert f"{key_id}  revoked " in after.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("api-keys", "revoke", "key_nope"), "no API key 'key_nope'"),
        (("api-keys", "create", "--name", " "), "name must be 1 to 100 characters"),
        (("customers", "unlink", "ghost"), "no customer link for user 'ghost'"),
        (("customers", "list", "--limit", "0"), "0 is not in the range 1<=x<=500"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    run_fresh: Run, args: tuple[str, ...], words: str
) -> None:
    result = run_fresh(*args)

    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    assert words in lines[0]


def test_customers_list_pages_and_filters_and_unlink_is_audited(
    run_fresh: Run, empty_postgres_url: str
) -> None:
    for n, segment in ((1, "b2b"), (2, "b2c"), (3, "b2b")):
        linked = run_fresh("customers", "link", f"user_{n}", f"cus_{n}", "--segment", segment)
        assert linked.exit_code == 0, linked.output

    first = run_fresh("customers", "list", "--limit", "2")
    second = run_fresh("customers", "list", "--limit", "2", "--after", "user_2")
    b2b = run_fresh("customers", "list", "--segment", "b2b")
    unlinked = run_fresh("customers", "unlink", "user_1")
    after = run_fresh("customers", "list")

    assert first.output.splitlines() == [
        "user_1  cus_1  b2b  -",
        "user_2  cus_2  b2c  -",
        "more: billing-portal customers list --after user_2",
    ]
    assert second.output.splitlines() == ["user_3  cus_3  b2b  -"]
    assert [line.split()[0] for line in b2b.output.splitlines()] == ["user_1", "user_3"]
    assert unlinked.exit_code == 0, unlinked.output
    assert "unlinked user user_1 from cus_1" in unlinked.output
    assert [line.split()[0] for line in after.output.splitlines()] == ["user_2", "user_3"]
    assert audit_actions(empty_postgres_url, "user_1") == [("link", "cli"), ("unlink", "cli")]


def audit_actions(url: str, user_id: str) -> list[tuple[str, str]]:
    async def read() -> list[tuple[str, str]]:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                rows = await connection.execute(
                    select(customer_link_audit.c.action, customer_link_audit.c.actor)
                    .where(customer_link_audit.c.user_id == user_id)
                    .order_by(customer_link_audit.c.id)
                )
                return [(r.action, r.actor) for r in rows]
        finally:
            await engine.dispose()

    return asyncio.run(read())
