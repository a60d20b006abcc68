"""The schema as SQLAlchemy Core tables on one ``MetaData``.

Alembic owns the schema (``migrations/versions``); these definitions must match it, and
``tests/integration/persistence/test_migrations.py`` checks that they do. The domain and
port dataclasses are frozen and slotted, which SQLAlchemy's ``map_imperatively`` cannot
instrument, so the repositories map explicitly between rows and dataclasses.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

from adapters.persistence.types import UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

customer_links = Table(
    "customer_links",
    metadata,
    Column("user_id", String(255), primary_key=True),
    Column("stripe_customer_id", String(255), nullable=True, unique=True),
    Column("segment", String(64), nullable=False),
    Column("email", String(320), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

portal_configuration_mappings = Table(
    "portal_configuration_mappings",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("provider_id", String(255), nullable=False),
    Column("fingerprint", String(128), nullable=False),
    Column("active", Boolean(), nullable=False),
    Column("applied_at", UtcDateTime(), nullable=False),
)

portal_access_audit = Table(
    "portal_access_audit",
    metadata,
    Column(
        "id",
        BigInteger().with_variant(Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("user_id", String(255), nullable=False),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("decision", String(128), nullable=False),
    Column("stripe_customer_id", String(255), nullable=True),
    Column("configuration", String(100), nullable=True),
    Column("flow", String(64), nullable=True),
    Column("portal_session_id", String(255), nullable=True),
    Column("request_id", String(128), nullable=True),
    Column("client_address", String(64), nullable=True),
    Column("user_agent", Text(), nullable=True),
    Column("channel", String(16), nullable=False),
    Column("segment", String(64), nullable=True),
    Index(None, "user_id", "occurred_at"),
    Index(None, "occurred_at"),
)

# One token bucket per key (GCRA): the bucket is full again at ``refilled_at_us``
# (microseconds since the epoch, so the one-statement update is integer arithmetic on both
# dialects). A row whose moment has passed means a full bucket and may be deleted.
rate_limit_buckets = Table(
    "rate_limit_buckets",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("refilled_at_us", BigInteger(), nullable=False),
    Index(None, "refilled_at_us"),
)

# Billing-page sessions: the cookie names one by a random id, kept here as its SHA-256, so
# signing out ends it for every process and a copied cookie outlives nothing.
page_sessions = Table(
    "page_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", String(255), nullable=False),
    Column("email", String(320), nullable=True),
    Column("expires_at", UtcDateTime(), nullable=False),
    Index(None, "expires_at"),
)

# --- Billing sync (issue 4): the webhook inbox, the mirror, the email outbox, the audit. ---
# Statuses are plain strings (a CHECK would need a migration per new one). The "processing"
# and "sending" statuses mark a claim whose lease (locked_by/locked_until) has not run out.

Json = JSON().with_variant(JSONB(), "postgresql")


def _claimable_columns() -> list[Column[object]]:
    """A queue row's state and lease, fresh for each table (a Column belongs to one)."""
    return [
        Column("status", String(16), nullable=False),
        Column("attempts", Integer(), nullable=False),
        Column("next_attempt_at", UtcDateTime(), nullable=True),
        Column("locked_by", String(255), nullable=True),
        Column("locked_until", UtcDateTime(), nullable=True),
        Column("last_error", Text(), nullable=True),
    ]


def _claimable_indexes() -> list[Index]:
    """How workers find due rows and expired leases in a table with those columns."""
    return [Index(None, "status", "next_attempt_at"), Index(None, "status", "locked_until")]


webhook_events = Table(
    "webhook_events",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("type", String(255), nullable=False),
    Column("created", UtcDateTime(), nullable=False),  # the provider's time of the event
    Column("livemode", Boolean(), nullable=False),
    Column("payload", Json, nullable=False),
    *_claimable_columns(),
    Column("note", Text(), nullable=True),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("processed_at", UtcDateTime(), nullable=True),
    *_claimable_indexes(),
    Index(None, "status", "created"),
    Index(None, "type", "created"),
    Index(None, "created"),
)


def _mirrored(name: str, *columns: Column[object] | Index) -> Table:
    """A mirror table: the provider's id, its columns, and the version it reflects."""
    return Table(
        name,
        metadata,
        Column("id", String(255), primary_key=True),
        *columns,
        Column("source_version_at", UtcDateTime(), nullable=False),  # provider time
        Column("source_event_id", String(255), nullable=True),  # None: read from the provider
        Column("updated_at", UtcDateTime(), nullable=False),  # our time of the write
    )


billing_customers = _mirrored(
    "billing_customers",
    Column("email", Text(), nullable=True),
    Column("name", Text(), nullable=True),
    Column("address", Json, nullable=True),
    Column("phone", Text(), nullable=True),
    Column("tax_ids", Json, nullable=False),
    Column("default_payment_method_id", String(255), nullable=True),
    Column("deleted", Boolean(), nullable=False),
    Column("metadata", Json, nullable=True),  # null in rows mirrored before it was kept
)

billing_subscriptions = _mirrored(
    "billing_subscriptions",
    Column("customer_id", String(255), nullable=False),
    Column("status", String(32), nullable=False),
    Column("raw_status", Text(), nullable=False),
    Column("created", UtcDateTime(), nullable=False),
    Column("start_date", UtcDateTime(), nullable=False),
    Column("items", Json, nullable=False),
    Column("plan_names", Json, nullable=False),
    Column("cancel_at_period_end", Boolean(), nullable=False),
    Column("cancel_at", UtcDateTime(), nullable=True),
    Column("canceled_at", UtcDateTime(), nullable=True),
    Column("ended_at", UtcDateTime(), nullable=True),
    Column("latest_invoice_url", Text(), nullable=True),
    Column("cancellation_reason", Text(), nullable=True),
    Column("cancellation_feedback", Text(), nullable=True),
    Column("cancellation_comment", Text(), nullable=True),
    Column("default_payment_method_id", String(255), nullable=True),
    Index(None, "customer_id"),
)

billing_invoices = _mirrored(
    "billing_invoices",
    Column("customer_id", String(255), nullable=True),
    Column("subscription_id", String(255), nullable=True),
    Column("created", UtcDateTime(), nullable=False),
    Column("status", Text(), nullable=True),
    Column("number", Text(), nullable=True),
    Column("amount_due", BigInteger(), nullable=False),
    Column("amount_paid", BigInteger(), nullable=False),
    Column("total", BigInteger(), nullable=False),
    Column("currency", String(16), nullable=False),
    Column("period_start", UtcDateTime(), nullable=True),
    Column("period_end", UtcDateTime(), nullable=True),
    Column("hosted_invoice_url", Text(), nullable=True),
    Column("invoice_pdf", Text(), nullable=True),
    Index(None, "customer_id", "created", "id"),
)

billing_payment_methods = _mirrored(
    "billing_payment_methods",
    Column("customer_id", String(255), nullable=True),
    Column("type", String(64), nullable=False),
    Column("brand", Text(), nullable=True),
    Column("last4", String(16), nullable=True),
    Column("exp_month", Integer(), nullable=True),
    Column("exp_year", Integer(), nullable=True),
    Column("detached", Boolean(), nullable=False),
    Index(None, "customer_id"),
)

billing_products = _mirrored(
    "billing_products",
    Column("name", Text(), nullable=True),
    Column("active", Boolean(), nullable=False),
    Column("deleted", Boolean(), nullable=False),
)

# Customers whose every subscription the mirror holds (see BillingMirror).
billing_mirror_coverage = Table(
    "billing_mirror_coverage",
    metadata,
    Column("customer_id", String(255), primary_key=True),
    Column("subscriptions_complete_at", UtcDateTime(), nullable=False),
)

email_outbox = Table(
    "email_outbox",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("template", String(64), nullable=False),
    Column("recipient", Text(), nullable=False),
    Column("context", Json, nullable=False),
    *_claimable_columns(),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime(), nullable=True),
    *_claimable_indexes(),
)

billing_audit_log = Table(
    "billing_audit_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("kind", String(64), nullable=False),
    Column("event_id", String(255), nullable=False),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("subject_id", String(255), nullable=False),
    Column("customer_id", String(255), nullable=True),
    Column("detail", Text(), nullable=False),
    UniqueConstraint("event_id", "kind", "subject_id"),  # a replayed event records once
    Index(None, "customer_id", "occurred_at"),
    Index(None, "occurred_at"),
)

# --- The server API (issue 11): its keys, and who changed which customer link. ---

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),  # SHA-256 hex, never the key
    Column("shown_prefix", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
)

customer_link_audit = Table(
    "customer_link_audit",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("action", String(16), nullable=False),
    Column("user_id", String(255), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("customer_id", String(255), nullable=True),
    Column("segment", String(64), nullable=True),
    Column("previous_customer_id", String(255), nullable=True),
    Column("previous_segment", String(64), nullable=True),
    # Only on ``refused`` rows (automatic links): a reason code and the one-line details.
    Column("reason", String(32), nullable=True),
    Column("detail", String(255), nullable=True),
    Index(None, "user_id", "occurred_at"),
    Index(None, "occurred_at"),
    Index(None, "action", "occurred_at"),
)
