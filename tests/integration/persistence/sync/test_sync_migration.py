"""Revision 0002 (billing sync) on PostgreSQL and SQLite: forward from 0001, data kept."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence import (
    SqlaCustomerDirectory,
    SqlaEventInbox,
    SqlaTransactionManager,
    create_engine,
    create_session_factory,
    current_revision_async,
    upgrade_database_async,
)
from application.ports.event_inbox import InboxEvent
from domain.customer import Customer

SYNC_TABLES = {
    "webhook_events",
    "billing_customers",
    "billing_subscriptions",
    "billing_invoices",
    "billing_payment_methods",
    "email_outbox",
    "billing_audit_log",
}


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


async def test_0002_upgrades_a_database_at_0001_and_keeps_its_data(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)
    customer = Customer("user-1", "cus_1", "b2c", "a@example.com")
    try:
        await upgrade_database_async(engine, "0001")
        assert not (await _tables(engine)) & SYNC_TABLES
        async with create_session_factory(engine)() as session:
            await SqlaCustomerDirectory(session).save(customer)
            await SqlaTransactionManager(session).commit()

        await upgrade_database_async(engine, "0002")

        assert await current_revision_async(engine) == "0002"
        assert await _tables(engine) >= SYNC_TABLES
        now = datetime(2026, 3, 1, tzinfo=UTC)
        event = InboxEvent("evt_1", "customer.created", now, False, {"id": "evt_1"}, now)
        async with create_session_factory(engine)() as session:
            assert await SqlaCustomerDirectory(session).get("user-1") == customer
            assert await SqlaEventInbox(session).store(event) is True
            await SqlaTransactionManager(session).commit()
    finally:
        await engine.dispose()
