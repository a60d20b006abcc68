"""Alembic migrations from an empty database, on PostgreSQL and SQLite."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence import (
    SqlaCustomerDirectory,
    SqlaTransactionManager,
    create_engine,
    create_session_factory,
    current_revision,
    current_revision_async,
    head_revision,
    upgrade_database,
    upgrade_database_async,
)
from adapters.persistence.tables import metadata
from domain.customer import Customer

APPLICATION_TABLES = {
    "customer_links",
    "portal_configuration_mappings",
    "portal_access_audit",
    "rate_limit_buckets",
    "page_sessions",
    "webhook_events",
    "billing_customers",
    "billing_subscriptions",
    "billing_invoices",
    "billing_payment_methods",
    "billing_products",
    "billing_mirror_coverage",
    "email_outbox",
    "billing_audit_log",
    "api_keys",
    "customer_link_audit",
}


async def _table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


async def test_an_empty_database_has_no_revision_and_upgrading_creates_every_table(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)
    try:
        assert await current_revision_async(engine) is None
        await upgrade_database_async(engine)
        assert await current_revision_async(engine) == head_revision()
        assert await _table_names(engine) == APPLICATION_TABLES | {"alembic_version"}
    finally:
        await engine.dispose()


async def test_the_migrated_schema_matches_the_tables_the_code_uses(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)

    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    try:
        await upgrade_database_async(engine)
        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
    finally:
        await engine.dispose()


async def test_upgrading_again_changes_nothing_and_keeps_the_data(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    customer = Customer("user-1", "cus_Keep", "b2c", "keep@example.com")
    try:
        await upgrade_database_async(engine)
        async with create_session_factory(engine)() as session:
            await SqlaCustomerDirectory(session).save(customer)
            await SqlaTransactionManager(session).commit()

        await upgrade_database_async(engine)

        assert await current_revision_async(engine) == head_revision()
        async with create_session_factory(engine)() as session:
            assert await SqlaCustomerDirectory(session).get("user-1") == customer
    finally:
        await engine.dispose()


async def test_the_sync_api_works_from_plain_urls_even_inside_a_running_event_loop(
    empty_database_url: str,
) -> None:
    plain_url = empty_database_url.replace("+asyncpg", "").replace("+aiosqlite", "")

    assert current_revision(plain_url) is None
    upgrade_database(plain_url)
    upgrade_database(plain_url)

    assert current_revision(plain_url) == head_revision()
