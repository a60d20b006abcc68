"""Customer links (app user -> Stripe customer) in the ``customer_links`` table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.persistence import mirror_rows as rows
from adapters.persistence.configuration_mappings import MAPPINGS_READ_AHEAD_SQL, keep_read_ahead
from adapters.persistence.driver_reads import (
    CarriedRead,
    PooledUnit,
    columns,
    driver_errors,
    prefixed,
    session_driver,
)
from adapters.persistence.errors import translate_database_errors
from adapters.persistence.tables import billing_subscriptions, customer_links
from adapters.persistence.upsert import upsert
from application.errors import InvalidRequest, LinkConflict
from application.ports.customer_directory import CustomerDirectory
from domain.customer import Customer

_COLUMNS = (
    customer_links.c.user_id,
    customer_links.c.stripe_customer_id,
    customer_links.c.segment,
    customer_links.c.email,
)


class SqlaCustomerDirectory(CustomerDirectory):
    """``CustomerDirectory`` on the request's session; ``save`` is an upsert, never a commit.

    Linking a Stripe customer that another user already holds raises ``LinkConflict``
    (field ``customer_id``); the unit of work must then be rolled back. A value longer than
    its column raises ``InvalidRequest`` naming the field. Database failures raise
    ``PersistenceUnavailable``.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: str) -> Customer | None:
        action = f"reading user {user_id!r}"
        driver = await session_driver(self._session, action)
        if driver is None:
            return await self._one(_BY_USER, user_id, action)
        if isinstance(self._session, PooledUnit):
            return await self._get_reading_ahead(driver, self._session, user_id, action)
        with driver_errors(action):  # every API request reads its user's link first
            row = await driver.fetchrow(_BY_USER_SQL, user_id)
        return None if row is None else _customer(row)

    @staticmethod
    def carry_link_read(unit: PooledUnit, user_id: str) -> None:
        """``get(user_id)`` on ``unit`` reads what ``_get_reading_ahead`` reads, carried by
        the unit's next statement that can carry a read (the portal's rate-limit hit):
        one round trip fewer."""
        unit.carry(
            CarriedRead(
                ("customer_link", user_id), _READ_AHEAD_COLUMNS, _CARRIED_JOINS,
                _READ_AHEAD_ORDER, user_id,
            )
        )  # fmt: skip

    @staticmethod
    async def _get_reading_ahead(
        driver: Any, unit: PooledUnit, user_id: str, action: str
    ) -> Customer | None:
        """The link, and in the same statement its customer's subscriptions if the mirror
        holds all of them, kept on ``unit`` for ``SqlaBillingMirror.complete_subscriptions``,
        and every configuration mapping, kept for ``SqlaConfigurationMappings.get`` (a
        portal session reads them next: two round trips fewer). Read in this request,
        never kept beyond the unit; already read if another statement carried it."""
        found = unit.read_ahead.pop(("customer_link", user_id), None)
        if found is None:
            with driver_errors(action):
                found = await driver.fetch(_BY_USER_READING_AHEAD_SQL, user_id)
        if not found or found[0]["l.user_id"] is None:
            return None
        head = found[0]
        link = Customer(
            user_id=head["l.user_id"],
            stripe_customer_id=head["l.stripe_customer_id"],
            segment=head["l.segment"],
            email=head["l.email"],
        )
        if link.stripe_customer_id:
            subscriptions = None
            if head["m.customer_id"] is not None:  # the mirror holds all of them
                subscriptions = [
                    rows.subscription_record(row)
                    for row in (prefixed(r, "s") for r in found)
                    if row is not None
                ]
            unit.read_ahead[("complete_subscriptions", link.stripe_customer_id)] = subscriptions
            keep_read_ahead(unit, head["c.mappings"])
        return link

    async def get_by_stripe_customer_id(self, stripe_customer_id: str) -> Customer | None:
        return await self._one(
            _BY_STRIPE_ID, stripe_customer_id, f"reading customer {stripe_customer_id!r}"
        )

    async def save(self, customer: Customer) -> None:
        _check_lengths(customer)
        now = datetime.now(UTC)
        statement = upsert(
            self._session.get_bind().dialect.name,
            customer_links,
            {
                "user_id": customer.user_id,
                "stripe_customer_id": customer.stripe_customer_id,
                "segment": customer.segment,
                "email": customer.email,
                "created_at": now,
                "updated_at": now,
            },
            conflict_on=["user_id"],
            update=["stripe_customer_id", "segment", "email", "updated_at"],
        )
        try:
            with translate_database_errors(f"saving user {customer.user_id!r}"):
                await self._session.execute(statement)
        except IntegrityError as error:
            raise LinkConflict(
                f"{customer.stripe_customer_id} is already linked to another user",
                field="customer_id",
            ) from error

    async def remove(self, user_id: str) -> None:
        statement = delete(customer_links).where(customer_links.c.user_id == user_id)
        with translate_database_errors(f"unlinking user {user_id!r}"):
            await self._session.execute(statement)

    async def list_page(
        self, *, segment: str | None, after_user_id: str | None, limit: int
    ) -> list[Customer]:
        statement = select(*_COLUMNS).order_by(customer_links.c.user_id).limit(limit)
        if segment is not None:
            statement = statement.where(customer_links.c.segment == segment)
        if after_user_id is not None:
            statement = statement.where(customer_links.c.user_id > after_user_id)
        with translate_database_errors("listing customer links"):
            rows = (await self._session.execute(statement)).mappings().all()
        return [_customer(row) for row in rows]

    async def _one(self, query: Select[Any], key: str, action: str) -> Customer | None:
        with translate_database_errors(action):
            result = await self._session.execute(query, {"key": key})
            row = result.mappings().one_or_none()
        return None if row is None else _customer(row)


def _customer(row: Any) -> Customer:
    """From a row's mapping or an asyncpg record (both give columns by name)."""
    return Customer(
        user_id=row["user_id"],
        stripe_customer_id=row["stripe_customer_id"],
        segment=row["segment"],
        email=row["email"],
    )


# Built once: every API request reads its user's link (docs/PERFORMANCE.md).
_BY_USER = select(*_COLUMNS).where(customer_links.c.user_id == bindparam("key"))
_BY_USER_SQL = (
    "SELECT user_id, stripe_customer_id, segment, email FROM customer_links WHERE user_id = $1"
)
# The same, with the coverage and subscriptions SqlaBillingMirror.complete_subscriptions
# reads (no row when there is no link; "m.customer_id" NULL while the mirror is incomplete)
# and every configuration mapping (on each row; read from the first). In parts, for a
# statement that carries it (CarriedRead: one row of NULLs when there is no link).
_READ_AHEAD_COLUMNS = f"""l.user_id AS "l.user_id", l.stripe_customer_id AS "l.stripe_customer_id",
  l.segment AS "l.segment", l.email AS "l.email", m.customer_id AS "m.customer_id",
  {MAPPINGS_READ_AHEAD_SQL} AS "c.mappings",
  {columns("s", billing_subscriptions)}"""
_MIRROR_JOINS = """LEFT JOIN billing_mirror_coverage m ON m.customer_id = l.stripe_customer_id
LEFT JOIN billing_subscriptions s ON s.customer_id = m.customer_id"""
_READ_AHEAD_ORDER = "s.created, s.id"
_BY_USER_READING_AHEAD_SQL = f"""
SELECT {_READ_AHEAD_COLUMNS}
FROM customer_links l
{_MIRROR_JOINS}
WHERE l.user_id = $1
ORDER BY {_READ_AHEAD_ORDER}
"""  # noqa: S608  (our own column names; every value is a bound parameter)
_CARRIED_JOINS = "LEFT JOIN customer_links l ON l.user_id = {param}\n" + _MIRROR_JOINS
_BY_STRIPE_ID = select(*_COLUMNS).where(customer_links.c.stripe_customer_id == bindparam("key"))

# Our column -> the field name the callers (LinkCustomer, the API) know it by.
_FIELDS = {
    "user_id": "user_id",
    "stripe_customer_id": "customer_id",
    "segment": "segment",
    "email": "email",
}


def _check_lengths(customer: Customer) -> None:
    for column, field in _FIELDS.items():
        value = getattr(customer, column)
        length = getattr(customer_links.c[column].type, "length", None)
        if isinstance(value, str) and length is not None and len(value) > length:
            raise InvalidRequest(f"{field} is longer than {length} characters", field=field)
