"""The server API's storage on PostgreSQL and SQLite: listing and removing links, API keys,
and the link audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.persistence import (
    SqlaApiKeyStore,
    SqlaCustomerDirectory,
    SqlaCustomerLinkAudit,
    SqlaTransactionManager,
)
from adapters.persistence.tables import customer_link_audit
from application.ports.customer_link_audit import CustomerLinkChange
from domain.api_key import ApiKey
from domain.customer import Customer

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


async def test_links_page_by_user_id_filter_by_segment_and_can_be_removed(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        directory = SqlaCustomerDirectory(session)
        for n in range(1, 6):
            segment = "b2b" if n % 2 else "b2c"
            await directory.save(Customer(f"user-{n}", f"cus_{n}", segment))
        await SqlaTransactionManager(session).commit()

    async with session_factory() as session:
        directory = SqlaCustomerDirectory(session)
        first = await directory.list_page(segment=None, after_user_id=None, limit=2)
        rest = await directory.list_page(segment=None, after_user_id="user-2", limit=10)
        b2b = await directory.list_page(segment="b2b", after_user_id="user-1", limit=10)
        await directory.remove("user-3")
        await directory.remove("user-nobody")
        await SqlaTransactionManager(session).commit()

    async with session_factory() as session:
        directory = SqlaCustomerDirectory(session)
        assert await directory.get("user-3") is None
        # The freed Stripe customer may be linked to someone else.
        await directory.save(Customer("user-9", "cus_3", "b2c"))
        await SqlaTransactionManager(session).commit()

    assert [c.user_id for c in first] == ["user-1", "user-2"]
    assert [c.user_id for c in rest] == ["user-3", "user-4", "user-5"]
    assert [c.user_id for c in b2b] == ["user-3", "user-5"]


async def test_api_keys_are_found_by_hash_only_while_active(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    old = ApiKey("key_old", "old", "bpk_aaaa", T0)
    new = ApiKey("key_new", "new", "bpk_bbbb", T0 + timedelta(days=1))
    async with session_factory() as session:
        keys = SqlaApiKeyStore(session)
        await keys.add(new, "b" * 64)
        await keys.add(old, "a" * 64)
        await SqlaTransactionManager(session).commit()

    async with session_factory() as session:
        keys = SqlaApiKeyStore(session)
        assert await keys.find_active("a" * 64) == old
        await keys.revoke("key_old", T0 + timedelta(days=2))
        await SqlaTransactionManager(session).commit()

    async with session_factory() as session:
        keys = SqlaApiKeyStore(session)
        await keys.revoke("key_old", T0 + timedelta(days=5))  # keeps the first revocation
        assert await keys.find_active("a" * 64) is None
        assert await keys.find_active("b" * 64) == new
        assert await keys.get("key_old") == ApiKey(
            "key_old", "old", "bpk_aaaa", T0, T0 + timedelta(days=2)
        )
        assert [k.id for k in await keys.list_all()] == ["key_old", "key_new"]


async def test_link_changes_are_kept_with_their_actor(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    change = CustomerLinkChange(
        "relink", "user-1", "api_key:key_1", T0, "cus_new", "b2b", "cus_old", "b2c"
    )
    async with session_factory() as session:
        await SqlaCustomerLinkAudit(session).record(change)
        await SqlaTransactionManager(session).commit()

    async with session_factory() as session:
        row = (await session.execute(select(customer_link_audit))).one()

    assert (row.action, row.user_id, row.actor, row.occurred_at) == (
        "relink", "user-1", "api_key:key_1", T0,
    )  # fmt: skip
    assert (row.customer_id, row.previous_customer_id) == ("cus_new", "cus_old")
    assert (row.segment, row.previous_segment) == ("b2b", "b2c")
