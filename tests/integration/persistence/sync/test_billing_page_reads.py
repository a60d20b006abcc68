"""The billing page's reads (``read_billing_page``, ``complete_subscriptions``) on PostgreSQL
(plain SQL on the session's asyncpg connection) and SQLite (the composed reads): the same
answer as the individual reads, and no row lock on PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import cast

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters.persistence import (
    SqlaBillingMirror,
    SqlaCustomerDirectory,
    SqlaRateLimiter,
    SqlaTransactionManager,
)
from adapters.persistence.billing_mirror import SqlaLinkedBillingPages
from adapters.persistence.driver_reads import PooledUnit
from application.ports.billing_mirror import BillingMirror, BillingPageRead
from application.ports.rate_limiter import RateLimitVerdict
from domain.billing.product import MirroredProduct
from domain.billing.subscription import MirroredSubscription
from domain.customer import Customer

from .mirror_records import FROM_EVENT, T0, customer, invoice, payment_method, subscription

MAPPINGS = ("configuration_mappings", "")


def _of_other_customer(sub_id: str) -> MirroredSubscription:
    mirrored = subscription(sub_id)
    return replace(mirrored, subscription=replace(mirrored.subscription, customer_id="cus_other"))


async def _composed(mirror: SqlaBillingMirror, customer_id: str) -> BillingPageRead:
    return await BillingMirror.read_billing_page(mirror, customer_id)


async def _seed(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as session:
        mirror = SqlaBillingMirror(session)
        await mirror.save_customer(customer())
        await mirror.save_payment_method(payment_method())
        await mirror.save_subscription(subscription("sub_1"))
        later = subscription("sub_2").subscription
        await mirror.save_subscription(
            replace(subscription("sub_2"), subscription=replace(later, created=T0 + timedelta(1)))
        )
        await mirror.save_subscription(subscription("sub_3"))  # no invoice
        for record in (
            invoice("in_old", T0),
            invoice("in_tie_a", T0 + timedelta(days=30)),
            invoice("in_tie_b", T0 + timedelta(days=30)),  # same second: the larger id wins
            invoice("in_2", T0, subscription_id="sub_2"),
            invoice("in_none", T0 + timedelta(days=90), subscription_id=None),
            invoice("in_other", T0 + timedelta(days=90), customer_id="cus_other"),
        ):
            await mirror.save_invoice(record)
        await mirror.save_product(MirroredProduct("prod_pro", FROM_EVENT, name="Pro plan"))
        await mirror.save_product(MirroredProduct("prod_api", FROM_EVENT, name=None))
        await mirror.save_product(MirroredProduct("prod_else", FROM_EVENT, name="Else"))
        await mirror.save_subscription(_of_other_customer("sub_x"))
        await SqlaTransactionManager(session).commit()


async def test_the_page_read_equals_the_individual_reads(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await _seed(session_factory)
    async with session_factory() as session:
        mirror = SqlaBillingMirror(session)
        page = await mirror.read_billing_page("cus_1")
        assert page == await _composed(mirror, "cus_1")

    assert page.customer == customer()
    assert page.default_payment_method == payment_method()
    assert [s.id for s in page.subscriptions] == ["sub_1", "sub_3", "sub_2"]
    assert {k: v.id for k, v in page.latest_invoices.items()} == {
        "sub_1": "in_tie_b",
        "sub_2": "in_2",
    }
    assert page.product_names == {"prod_pro": "Pro plan"}
    assert page.last_written_at is not None


async def test_the_page_read_of_a_customer_the_mirror_does_not_hold(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        mirror = SqlaBillingMirror(session)
        await mirror.save_subscription(subscription("sub_1", default_payment_method_id=None))
        await SqlaTransactionManager(session).commit()
        page = await mirror.read_billing_page("cus_1")
        assert page == await _composed(mirror, "cus_1")
        assert page.customer is None
        assert page.default_payment_method is None
        assert [s.id for s in page.subscriptions] == ["sub_1"]
        nothing = await mirror.read_billing_page("cus_nobody")
        assert nothing == BillingPageRead(None, [], None, {}, {}, None)


async def test_complete_subscriptions_only_once_the_mirror_holds_them_all(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        mirror = SqlaBillingMirror(session)
        await mirror.save_subscription(subscription("sub_1"))
        await mirror.save_subscription(_of_other_customer("sub_x"))
        await mirror.mark_subscriptions_complete(["cus_empty"], at=T0)
        await SqlaTransactionManager(session).commit()

        assert await mirror.complete_subscriptions("cus_1") is None
        assert await mirror.complete_subscriptions("cus_empty") == []
        await mirror.mark_subscriptions_complete(["cus_1"], at=T0)
        assert await mirror.complete_subscriptions("cus_1") == [subscription("sub_1")]


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_the_page_read_locks_no_row(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await _seed(session_factory)
    lock_now = [
        text(f"SELECT id FROM {table} WHERE id = '{row}' FOR UPDATE NOWAIT")
        for table, row in (
            ("billing_customers", "cus_1"),
            ("billing_payment_methods", "pm_1"),
            ("billing_subscriptions", "sub_1"),
            ("billing_invoices", "in_tie_b"),
        )
    ]
    async with session_factory() as reading, session_factory() as other:
        await SqlaBillingMirror(reading).read_billing_page("cus_1")
        await SqlaBillingMirror(reading).complete_subscriptions("cus_1")
        for statement in lock_now:  # would raise "could not obtain lock" under a lock
            assert (await other.execute(statement)).scalar_one()


async def test_the_linked_page_read_is_the_link_then_its_customers_page(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _seed(session_factory)
    async with session_factory() as session:
        links = SqlaCustomerDirectory(session)
        await links.save(Customer("u_1", "cus_1", segment="pro", email="a@example.com"))
        await links.save(Customer("u_empty", None, segment="default", email=None))
        await links.save(Customer("u_unmirrored", "cus_absent", segment="default", email=None))
        await SqlaTransactionManager(session).commit()
        expected = await SqlaBillingMirror(session).read_billing_page("cus_1")
        absent = await SqlaBillingMirror(session).read_billing_page("cus_absent")
    pages = SqlaLinkedBillingPages(engine, session_factory)

    link, page = await pages.read("u_1")
    assert link == Customer("u_1", "cus_1", segment="pro", email="a@example.com")
    assert page == expected
    assert [s.id for s in page.subscriptions] == ["sub_1", "sub_3", "sub_2"]
    assert await pages.read("u_unknown") == (None, None)
    assert await pages.read("u_empty") == (Customer("u_empty", None, "default", None), None)
    link, page = await pages.read("u_unmirrored")
    assert page == absent
    assert page is not None
    assert page.customer is None


async def test_the_linked_page_read_returns_its_connection_to_the_pool(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    pages = SqlaLinkedBillingPages(engine, session_factory)
    for _ in range(3 * engine.pool.size()):  # more reads than the pool holds connections
        assert await pages.read("u_unknown") == (None, None)
    assert engine.pool.checkedout() == 0


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_a_pooled_units_link_read_brings_the_complete_subscriptions_along(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _seed(session_factory)
    async with session_factory() as session:
        await SqlaCustomerDirectory(session).save(Customer("u_1", "cus_1", "b2c", None))
        await SqlaCustomerDirectory(session).save(Customer("u_2", "cus_2", "b2c", None))
        await SqlaBillingMirror(session).mark_subscriptions_complete(["cus_1"], at=T0)
        await SqlaTransactionManager(session).commit()
        expected = await SqlaBillingMirror(session).complete_subscriptions("cus_1")
    assert expected is not None
    assert len(expected) == 3

    unit = PooledUnit(engine)
    on_unit = cast(AsyncSession, unit)
    try:
        link = await SqlaCustomerDirectory(on_unit).get("u_1")
        assert link == Customer("u_1", "cus_1", "b2c", None)
        no_mappings = {MAPPINGS: {}}  # read ahead too (none in this database)
        assert unit.read_ahead == {("complete_subscriptions", "cus_1"): expected, **no_mappings}
        mirror = SqlaBillingMirror(on_unit)
        assert await mirror.complete_subscriptions("cus_1") == expected
        assert unit.read_ahead == no_mappings  # taken once: a second read asks the database
        assert await mirror.complete_subscriptions("cus_1") == expected

        assert await SqlaCustomerDirectory(on_unit).get("u_2") is not None
        assert unit.read_ahead == {("complete_subscriptions", "cus_2"): None, **no_mappings}
        assert await mirror.complete_subscriptions("cus_2") is None
        assert await SqlaCustomerDirectory(on_unit).get("u_none") is None
        await SqlaCustomerDirectory(on_unit).get("u_1")
    finally:
        await unit.release()
    assert unit.read_ahead == {}
    assert engine.pool.checkedout() == 0


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_a_pooled_units_rate_limit_hit_carries_the_link_read(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _seed(session_factory)
    async with session_factory() as session:
        await SqlaCustomerDirectory(session).save(Customer("u_1", "cus_1", "b2c", None))
        await SqlaBillingMirror(session).mark_subscriptions_complete(["cus_1"], at=T0)
        await SqlaTransactionManager(session).commit()
    # What the link read brings by its own statement.
    unit = PooledUnit(engine)
    try:
        alone = await SqlaCustomerDirectory(cast(AsyncSession, unit)).get("u_1")
        read_alone = dict(unit.read_ahead)
    finally:
        await unit.release()
    assert len(read_alone[("complete_subscriptions", "cus_1")]) == 3

    limiter = SqlaRateLimiter(engine)
    for user_id, limit, allowed in (("u_1", 5, True), ("u_none", 5, True), ("u_1", 1, False)):
        unit = PooledUnit(engine)
        on_unit = cast(AsyncSession, unit)
        try:
            SqlaCustomerDirectory.carry_link_read(unit, user_id)
            verdict = await limiter.on(unit).hit(
                f"portal:{user_id}:{limit}", limit=limit, window_seconds=60, now=T0
            )
            if not allowed:  # the bucket of one token is empty now: refused, with its wait
                verdict = await limiter.on(unit).hit(
                    f"portal:{user_id}:{limit}", limit=limit, window_seconds=60, now=T0
                )
            assert verdict == (
                RateLimitVerdict(True, 0) if allowed else RateLimitVerdict(False, 60)
            )
            if allowed:  # carried by the hit: read before any read of the link
                assert ("customer_link", user_id) in unit.read_ahead
            link = await SqlaCustomerDirectory(on_unit).get(user_id)
            if user_id == "u_none":
                assert link is None
                assert unit.read_ahead == {}
            else:
                assert link == alone
                assert unit.read_ahead == read_alone
        finally:
            await unit.release()
    assert engine.pool.checkedout() == 0
