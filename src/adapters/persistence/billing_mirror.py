"""The billing mirror: our copy of the provider's customers, subscriptions, invoices and
payment methods, one table each, every row with the provider version it reflects."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    BindParameter,
    CompoundSelect,
    Select,
    Table,
    and_,
    bindparam,
    event,
    func,
    insert,
    or_,
    select,
    union_all,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters.persistence import mirror_rows as rows
from adapters.persistence.customer_directory import SqlaCustomerDirectory
from adapters.persistence.driver_reads import (
    PooledUnit,
    columns,
    driver_errors,
    layout,
    pooled_driver,
    prefixed,
    session_driver,
    take,
)
from adapters.persistence.errors import translate_database_errors
from adapters.persistence.tables import (
    billing_customers,
    billing_invoices,
    billing_mirror_coverage,
    billing_payment_methods,
    billing_products,
    billing_subscriptions,
)
from adapters.persistence.upsert import dialect_insert
from application.errors import PersistenceUnavailable
from application.ports.billing_mirror import (
    BillingMirror,
    BillingPageRead,
    InvoiceCursor,
    LinkedBillingPages,
)
from domain.billing.customer import MirroredCustomer
from domain.billing.invoice import MirroredInvoice
from domain.billing.payment_method import MirroredPaymentMethod
from domain.billing.product import MirroredProduct
from domain.billing.subscription import MirroredSubscription
from domain.customer import Customer

R = TypeVar("R")

# The reads of the billing page and the workers, built once (docs/PERFORMANCE.md: building
# the ranked subquery on every call was a fifth of GET /api/billing/summary).
_CUSTOMER: BindParameter[str] = bindparam("customer_id")
_LOCKED_ROW: dict[str, Select[Any]] = {}  # table name -> its SELECT ... FOR UPDATE by id


def _locked_row(table: Table) -> Select[Any]:
    statement = _LOCKED_ROW.get(table.name)
    if statement is None:
        statement = select(table).where(table.c.id == bindparam("id")).with_for_update()
        _LOCKED_ROW[table.name] = statement
    return statement


_WRITING: dict[tuple[str, str, tuple[str, ...], bool], Any] = {}


def _writing(dialect: str, table: Table, columns: tuple[str, ...], *, insert_only: bool) -> Any:
    """The save of ``columns`` (bound by name), returning the row as stored: a plain
    ``INSERT`` or an upsert by id, built once per table and column set."""
    key = (dialect, table.name, columns, insert_only)
    statement = _WRITING.get(key)
    if statement is None:
        if insert_only:
            statement = insert(table).returning(table)
        else:
            statement = dialect_insert(dialect, table)
            statement = statement.on_conflict_do_update(
                index_elements=["id"],
                set_={name: statement.excluded[name] for name in columns if name != "id"},
            ).returning(table)
        _WRITING[key] = statement
    return statement


_SUBSCRIPTIONS = (
    select(billing_subscriptions)
    .where(billing_subscriptions.c.customer_id == _CUSTOMER)
    .order_by(billing_subscriptions.c.created, billing_subscriptions.c.id)
)


def _latest_invoices() -> Select[Any]:
    t = billing_invoices
    newest_first = (t.c.created.desc(), t.c.id.desc())
    rank = func.row_number().over(partition_by=t.c.subscription_id, order_by=newest_first)
    ranked = (
        select(t, rank.label("rank"))
        .where(t.c.customer_id == _CUSTOMER, t.c.subscription_id.is_not(None))
        .subquery()
    )
    return select(ranked).where(ranked.c.rank == 1)


def _last_written() -> CompoundSelect[Any]:
    owned = [billing_subscriptions, billing_invoices, billing_payment_methods]
    return union_all(
        select(func.max(billing_customers.c.updated_at)).where(billing_customers.c.id == _CUSTOMER),
        *(select(func.max(t.c.updated_at)).where(t.c.customer_id == _CUSTOMER) for t in owned),
    )


_LATEST_INVOICES = _latest_invoices()
_LAST_WRITTEN = _last_written()


# The billing page's reads on PostgreSQL, no row locks (adapters/persistence/driver_reads.py).
# One row per subscription (one row of NULLs for it when there is none), each with the
# customer, their default card, when we last wrote any of their rows, the subscription's
# newest invoice by (created, id) as _LATEST_INVOICES ranks them, and its products' names.
def _page_sql(customer: str) -> str:
    """The page of the customer whose id is the SQL expression ``customer``."""
    return f"""
SELECT {columns("c", billing_customers)}, {columns("p", billing_payment_methods)},
  GREATEST(c.updated_at,
    (SELECT max(updated_at) FROM billing_subscriptions WHERE customer_id = {customer}),
    (SELECT max(updated_at) FROM billing_invoices WHERE customer_id = {customer}),
    (SELECT max(updated_at) FROM billing_payment_methods WHERE customer_id = {customer})
  ) AS written_at,
  {columns("s", billing_subscriptions)}, {columns("i", billing_invoices)},
  (SELECT jsonb_object_agg(pr.id, pr.name) FROM billing_products pr
   WHERE pr.name IS NOT NULL
     AND pr.id IN (SELECT item ->> 'product_id' FROM jsonb_array_elements(s.items) AS item)
  ) AS product_names
FROM (SELECT 1) AS one
LEFT JOIN billing_customers c ON c.id = {customer}
LEFT JOIN billing_payment_methods p ON p.id = c.default_payment_method_id
LEFT JOIN billing_subscriptions s ON s.customer_id = {customer}
LEFT JOIN LATERAL (
  SELECT * FROM billing_invoices
  WHERE customer_id = {customer} AND subscription_id = s.id
  ORDER BY created DESC, id DESC LIMIT 1
) i ON true
"""  # noqa: S608  (our own column names; every value is a bound parameter)


_PAGE = _page_sql("$1") + "ORDER BY s.created, s.id"
# The user's link and its customer's page in one statement ($1 the user): the link's
# columns as "l.*" on every row (NULL when there is no link), then the page's as above.
_LINKED_PAGE = f"""
SELECT l.user_id AS "l.user_id", l.stripe_customer_id AS "l.stripe_customer_id",
  l.segment AS "l.segment", l.email AS "l.email", page.*
FROM (SELECT 1) AS one
LEFT JOIN customer_links l ON l.user_id = $1
LEFT JOIN LATERAL ({_page_sql("l.stripe_customer_id")}) page ON true
ORDER BY page."s.created", page."s.id"
"""  # noqa: S608  (our own column names; every value is a bound parameter)
# Coverage and subscriptions in one statement: no row when the mirror is not complete, one
# row of NULLs when it is complete and holds no subscription.
_COMPLETE_SUBSCRIPTIONS = f"""
SELECT {columns("s", billing_subscriptions)}
FROM billing_mirror_coverage m
LEFT JOIN billing_subscriptions s ON s.customer_id = m.customer_id
WHERE m.customer_id = $1
ORDER BY s.created, s.id
"""  # noqa: S608  (our own column names; every value is a bound parameter)


def _billing_page(found: list[Any]) -> BillingPageRead:
    """The page from the rows of ``_PAGE`` (or ``_LINKED_PAGE``): one per subscription."""
    subscriptions: list[MirroredSubscription] = []
    latest: dict[str, MirroredInvoice] = {}
    names: dict[str, str] = {}
    head = found[0]  # always a row: the joins start from one
    subscription_columns, invoice_columns = layout(head, "s"), layout(head, "i")
    for row in found:
        subscription_row = take(row, subscription_columns)
        if subscription_row is None:
            continue  # the customer has none
        subscription = rows.subscription_record(subscription_row)
        subscriptions.append(subscription)
        invoice = take(row, invoice_columns)
        if invoice is not None:
            latest[subscription.id] = rows.invoice_record(invoice)
        names.update(row["product_names"] or {})
    customer = prefixed(head, "c")
    method = prefixed(head, "p")
    return BillingPageRead(
        customer=rows.customer_record(customer) if customer is not None else None,
        subscriptions=subscriptions,
        default_payment_method=rows.payment_method_record(method) if method else None,
        latest_invoices=latest,
        product_names=names,
        last_written_at=head["written_at"],
    )


class SqlaLinkedBillingPages(LinkedBillingPages):
    """``LinkedBillingPages`` on the engine, each read on a connection of its own.

    On PostgreSQL one statement (``_LINKED_PAGE``), autocommitted on a pooled asyncpg
    connection, with no ``AsyncSession`` around it: the link read apart from the page,
    and the session's checkout and close, were a fifth of ``GET /api/billing/summary``
    (docs/PERFORMANCE.md). Elsewhere a session reads the link, then the page. Database
    failures raise ``PersistenceUnavailable``.
    """

    def __init__(self, engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._engine, self._sessions = engine, sessions
        self._postgres = engine.dialect.driver == "asyncpg"

    async def read(self, user_id: str) -> tuple[Customer | None, BillingPageRead | None]:
        if not self._postgres:
            async with self._sessions() as session:
                link = await SqlaCustomerDirectory(session).get(user_id)
                if link is None or not link.stripe_customer_id:
                    return link, None
                return link, await SqlaBillingMirror(session).read_billing_page(
                    link.stripe_customer_id
                )
        action = f"reading the billing page of user {user_id!r}"
        async with pooled_driver(self._engine, action) as driver:
            with driver_errors(action):
                found = await driver.fetch(_LINKED_PAGE, user_id)
        head = found[0]  # always a row: the joins start from one
        if head["l.user_id"] is None:
            return None, None
        link = Customer(
            user_id=head["l.user_id"],
            stripe_customer_id=head["l.stripe_customer_id"],
            segment=head["l.segment"],
            email=head["l.email"],
        )
        if not link.stripe_customer_id:
            return link, None
        return link, _billing_page(found)


class SqlaBillingMirror(BillingMirror):
    """``BillingMirror`` on the unit of work's session; nothing here commits.

    ``get_*`` lock the row they read (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite has a
    single writer). A ``save_*`` of an id that this repository's ``get_*`` found missing is
    a plain ``INSERT``: if another worker inserted that id meanwhile, the save raises
    ``PersistenceUnavailable`` (roll back and retry the event) instead of overwriting a
    state nobody compared. Any other save is an upsert by id. ``updated_at`` records when
    we wrote the row. Database failures raise ``PersistenceUnavailable``.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._seen_missing: set[tuple[str, str]] = set()
        self._locked: dict[tuple[str, str], Mapping[Any, Any]] = {}  # see _remember
        self._absent: set[tuple[str, str]] = set()  # see _remember_absent
        self._names: dict[str, str | None] = {}  # product id -> name, see product_names
        self._listening = False

    async def get_customer(self, customer_id: str) -> MirroredCustomer | None:
        return await self._get(billing_customers, customer_id, rows.customer_record)

    async def save_customer(self, customer: MirroredCustomer) -> None:
        await self._save(billing_customers, rows.customer_values(customer))

    async def get_subscription(self, subscription_id: str) -> MirroredSubscription | None:
        return await self._get(billing_subscriptions, subscription_id, rows.subscription_record)

    async def save_subscription(self, subscription: MirroredSubscription) -> None:
        await self._save(billing_subscriptions, rows.subscription_values(subscription))

    async def list_subscriptions(self, customer_id: str) -> list[MirroredSubscription]:
        with translate_database_errors(f"listing subscriptions of {customer_id!r}"):
            result = await self._session.execute(_SUBSCRIPTIONS, {"customer_id": customer_id})
        return [rows.subscription_record(row) for row in result.mappings()]

    async def get_invoice(self, invoice_id: str) -> MirroredInvoice | None:
        return await self._get(billing_invoices, invoice_id, rows.invoice_record)

    async def save_invoice(self, invoice: MirroredInvoice) -> None:
        await self._save(billing_invoices, rows.invoice_values(invoice))

    async def list_invoices(
        self, customer_id: str, *, limit: int, after: InvoiceCursor | None = None
    ) -> list[MirroredInvoice]:
        t = billing_invoices
        query = (
            select(t)
            .where(t.c.customer_id == customer_id)
            .order_by(t.c.created.desc(), t.c.id.desc())
            .limit(limit)
        )
        if after is not None:
            query = query.where(
                or_(
                    t.c.created < after.created,
                    and_(t.c.created == after.created, t.c.id < after.invoice_id),
                )
            )
        with translate_database_errors(f"listing invoices of {customer_id!r}"):
            result = await self._session.execute(query)
        return [rows.invoice_record(row) for row in result.mappings()]

    async def latest_invoices(self, customer_id: str) -> dict[str, MirroredInvoice]:
        with translate_database_errors(f"reading the latest invoices of {customer_id!r}"):
            result = await self._session.execute(_LATEST_INVOICES, {"customer_id": customer_id})
        found = (rows.invoice_record(row) for row in result.mappings())
        return {i.subscription_id: i for i in found if i.subscription_id}

    async def last_written_at(self, customer_id: str) -> datetime | None:
        with translate_database_errors(f"reading when the mirror of {customer_id!r} was written"):
            result = await self._session.execute(_LAST_WRITTEN, {"customer_id": customer_id})
        return max((at for (at,) in result if at is not None), default=None)

    async def get_payment_method(self, payment_method_id: str) -> MirroredPaymentMethod | None:
        return await self._get(
            billing_payment_methods, payment_method_id, rows.payment_method_record
        )

    async def save_payment_method(self, payment_method: MirroredPaymentMethod) -> None:
        await self._save(billing_payment_methods, rows.payment_method_values(payment_method))

    async def get_product(self, product_id: str) -> MirroredProduct | None:
        return await self._get(billing_products, product_id, rows.product_record)

    async def save_product(self, product: MirroredProduct) -> None:
        await self._save(billing_products, rows.product_values(product))

    async def product_names(self, product_ids: Iterable[str]) -> dict[str, str]:
        """Names read once per transaction: a worker's batch names the same few products
        in many events (kept until the transaction ends, and by this repository's own
        saves of products)."""
        wanted = set(product_ids)
        unknown = sorted(wanted - self._names.keys())
        if unknown:
            t = billing_products
            query = select(t.c.id, t.c.name).where(t.c.id.in_(unknown), t.c.name.is_not(None))
            with translate_database_errors("reading product names"):
                result = await self._session.execute(query)
            found = {product_id: name for product_id, name in result}
            self._listen()
            self._names.update({product_id: found.get(product_id) for product_id in unknown})
        return {i: name for i in wanted if (name := self._names.get(i)) is not None}

    async def read_billing_page(self, customer_id: str) -> BillingPageRead:
        driver = await session_driver(self._session, "reading the billing mirror")
        if driver is None:
            return await BillingMirror.read_billing_page(self, customer_id)
        with driver_errors(f"reading the billing page of {customer_id!r}"):
            found = await driver.fetch(_PAGE, customer_id)
        return _billing_page(found)

    async def complete_subscriptions(self, customer_id: str) -> list[MirroredSubscription] | None:
        if isinstance(self._session, PooledUnit):  # read ahead with the customer's link?
            key = ("complete_subscriptions", customer_id)
            if key in self._session.read_ahead:
                found_ahead: list[MirroredSubscription] | None
                found_ahead = self._session.read_ahead.pop(key)
                return found_ahead
        driver = await session_driver(self._session, "reading the billing mirror")
        if driver is None:
            return await BillingMirror.complete_subscriptions(self, customer_id)
        with driver_errors(f"listing the mirrored subscriptions of {customer_id!r}"):
            found = await driver.fetch(_COMPLETE_SUBSCRIPTIONS, customer_id)
        if not found:
            return None
        return [
            rows.subscription_record(row)
            for row in (prefixed(r, "s") for r in found)
            if row is not None
        ]

    async def mark_subscriptions_complete(
        self, customer_ids: Iterable[str], *, at: datetime
    ) -> None:
        wanted = sorted(set(customer_ids))
        if not wanted:
            return
        statement = _coverage_upsert(self._session.get_bind().dialect.name)
        many = [{"customer_id": c, "subscriptions_complete_at": at} for c in wanted]
        what = repr(wanted[0]) if len(wanted) == 1 else f"{len(wanted)} customers"
        with translate_database_errors(f"marking the mirror of {what} complete"):
            await self._session.execute(statement, many)  # one statement for all (backfill)

    async def subscriptions_complete(self, customer_id: str) -> bool:
        t = billing_mirror_coverage
        query = select(t.c.customer_id).where(t.c.customer_id == customer_id)
        with translate_database_errors(
            f"reading whether the mirror of {customer_id!r} is complete"
        ):
            found = (await self._session.execute(query)).first()
        return found is not None

    async def _get(
        self, table: Table, record_id: str, record: Callable[[Mapping[Any, Any]], R]
    ) -> R | None:
        key = (table.name, record_id)
        row = self._locked.get(key)
        if row is None and key in self._absent:
            self._seen_missing.add(key)
            return None
        if row is None:
            with translate_database_errors(f"reading {table.name} row {record_id!r}"):
                result = await self._session.execute(_locked_row(table), {"id": record_id})
                row = result.mappings().one_or_none()
            if row is not None:
                self._remember(key, row)
        if row is None:
            self._seen_missing.add(key)
            return None
        self._seen_missing.discard(key)
        return record(row)

    async def _save(self, table: Table, values: dict[str, Any]) -> None:
        values = {**values, "updated_at": datetime.now(UTC)}
        seen = (table.name, values["id"])
        dialect = self._session.get_bind().dialect.name
        statement = _writing(dialect, table, tuple(values), insert_only=seen in self._seen_missing)
        try:
            with translate_database_errors(f"saving {table.name} row {values['id']!r}"):
                row = (await self._session.execute(statement, values)).mappings().one()
        except IntegrityError as error:
            raise PersistenceUnavailable(
                f"{table.name} row {values['id']!r} was written by another transaction "
                "at the same time; roll back and try again"
            ) from error
        self._seen_missing.discard(seen)
        self._remember(seen, row)
        if table is billing_products:
            self._names[values["id"]] = values.get("name")

    # -- a page at a time (the backfill): one locking read, one write per statement --------

    async def get_many_customers(self, ids: Iterable[str]) -> dict[str, MirroredCustomer]:
        return await self._get_many(billing_customers, ids, rows.customer_record)

    async def get_many_subscriptions(self, ids: Iterable[str]) -> dict[str, MirroredSubscription]:
        return await self._get_many(billing_subscriptions, ids, rows.subscription_record)

    async def get_many_invoices(self, ids: Iterable[str]) -> dict[str, MirroredInvoice]:
        return await self._get_many(billing_invoices, ids, rows.invoice_record)

    async def get_many_payment_methods(
        self, ids: Iterable[str]
    ) -> dict[str, MirroredPaymentMethod]:
        return await self._get_many(billing_payment_methods, ids, rows.payment_method_record)

    async def get_many_products(self, ids: Iterable[str]) -> dict[str, MirroredProduct]:
        return await self._get_many(billing_products, ids, rows.product_record)

    async def save_many_customers(self, records: Iterable[MirroredCustomer]) -> None:
        await self._save_many(billing_customers, [rows.customer_values(r) for r in records])

    async def save_many_subscriptions(self, records: Iterable[MirroredSubscription]) -> None:
        await self._save_many(billing_subscriptions, [rows.subscription_values(r) for r in records])

    async def save_many_invoices(self, records: Iterable[MirroredInvoice]) -> None:
        await self._save_many(billing_invoices, [rows.invoice_values(r) for r in records])

    async def save_many_payment_methods(self, records: Iterable[MirroredPaymentMethod]) -> None:
        await self._save_many(
            billing_payment_methods, [rows.payment_method_values(r) for r in records]
        )

    async def save_many_products(self, records: Iterable[MirroredProduct]) -> None:
        await self._save_many(billing_products, [rows.product_values(r) for r in records])

    async def _get_many(
        self, table: Table, record_ids: Iterable[str], record: Callable[[Mapping[Any, Any]], R]
    ) -> dict[str, R]:
        """``_get`` of many ids in one ``SELECT ... WHERE id IN (...) ORDER BY id FOR UPDATE``
        (locked in id order, as every bulk read here, so two never deadlock)."""
        wanted = sorted(set(record_ids))
        if not wanted:
            return {}
        with translate_database_errors(f"reading {len(wanted)} {table.name} rows"):
            result = await self._session.execute(_locked_rows(table), {"ids": wanted})
            rows_by_id = {row["id"]: row for row in result.mappings()}
        for record_id in wanted:
            seen = (table.name, record_id)
            row = rows_by_id.get(record_id)
            if row is not None:
                self._seen_missing.discard(seen)
                self._remember(seen, row)
            else:
                self._seen_missing.add(seen)
                self._remember_absent(seen)
        return {record_id: record(row) for record_id, row in rows_by_id.items()}

    async def _save_many(self, table: Table, many: list[dict[str, Any]]) -> None:
        """``_save`` of many rows: the ids ``_get_many`` found missing in one plain
        ``INSERT`` (a concurrent insert of one of them raises ``PersistenceUnavailable``),
        the others in one upsert by id."""
        if not many:
            return
        now = datetime.now(UTC)
        new: list[dict[str, Any]] = []
        known: list[dict[str, Any]] = []
        for values in many:
            values = {**values, "updated_at": now}
            missing = (table.name, values["id"]) in self._seen_missing
            (new if missing else known).append(values)
        dialect = self._session.get_bind().dialect.name
        try:
            with translate_database_errors(f"saving {len(many)} {table.name} rows"):
                if new:
                    await self._session.execute(insert(table), new)
                if known:
                    upsert_known = _upsert_by_id(dialect, table, tuple(known[0]))
                    await self._session.execute(upsert_known, known)
        except IntegrityError as error:
            raise PersistenceUnavailable(
                f"a {table.name} row was written by another transaction at the same time; "
                "roll back and try again"
            ) from error
        for values in many:
            self._seen_missing.discard((table.name, values["id"]))
            self._locked.pop((table.name, values["id"]), None)  # see _remember
            self._absent.discard((table.name, values["id"]))
            if table is billing_products:
                self._names.pop(values["id"], None)

    def _remember(self, key: tuple[str, str], row: Mapping[Any, Any]) -> None:
        """Keep a row this transaction holds locked (read ``FOR UPDATE`` or written): no
        one else can change it before the transaction ends, so reading it again (the
        next event of a batch about the same invoice or customer) needs no round trip.
        Forgotten at every commit and every rollback, a savepoint's included (which
        releases the locks taken inside it)."""
        self._listen()
        self._locked[key] = row
        self._absent.discard(key)

    def _remember_absent(self, key: tuple[str, str]) -> None:
        """Keep that a ``get_many_*`` of this transaction found no such row, so that
        ``get_*`` answers None without a round trip (a worker's batch reads its events'
        rows in one statement per table first). A row another transaction inserts
        meanwhile makes our plain ``INSERT`` of it fail, as after a ``get_*`` that found
        nothing. Forgotten with the locked rows."""
        self._listen()
        self._absent.add(key)

    def _listen(self) -> None:
        if not self._listening:
            sync_session = self._session.sync_session
            event.listen(sync_session, "after_commit", self._forget_locked)
            event.listen(sync_session, "after_soft_rollback", self._forget_locked)
            self._listening = True

    def _forget_locked(self, *_: object) -> None:
        self._locked.clear()
        self._absent.clear()
        self._names.clear()


_LOCKED_ROWS: dict[str, Select[Any]] = {}  # table name -> SELECT ... WHERE id IN ... FOR UPDATE
_UPSERT_BY_ID: dict[tuple[str, str, tuple[str, ...]], Any] = {}  # -> upsert of those columns


def _locked_rows(table: Table) -> Select[Any]:
    statement = _LOCKED_ROWS.get(table.name)
    if statement is None:
        ids: BindParameter[list[str]] = bindparam("ids", expanding=True)
        statement = select(table).where(table.c.id.in_(ids)).order_by(table.c.id)
        statement = _LOCKED_ROWS[table.name] = statement.with_for_update()
    return statement


def _upsert_by_id(dialect: str, table: Table, columns: tuple[str, ...]) -> Any:
    """``INSERT ... ON CONFLICT (id) DO UPDATE`` of ``columns`` (the rows' keys)."""
    key = (dialect, table.name, columns)
    statement = _UPSERT_BY_ID.get(key)
    if statement is None:
        base = dialect_insert(dialect, table)
        statement = _UPSERT_BY_ID[key] = base.on_conflict_do_update(
            index_elements=["id"],
            set_={name: base.excluded[name] for name in columns if name != "id"},
        )
    return statement


_COVERAGE_UPSERT: dict[str, Any] = {}  # dialect -> upsert of subscriptions_complete_at


def _coverage_upsert(dialect: str) -> Any:
    statement = _COVERAGE_UPSERT.get(dialect)
    if statement is None:
        base = dialect_insert(dialect, billing_mirror_coverage)
        statement = _COVERAGE_UPSERT[dialect] = base.on_conflict_do_update(
            index_elements=["customer_id"],
            set_={"subscriptions_complete_at": base.excluded.subscriptions_complete_at},
        )
    return statement
