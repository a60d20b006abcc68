"""The schema as SQLAlchemy Core tables on one ``MetaData``.

Alembic owns the schema (``migrations/versions``); these definitions must match it, and
``tests/integration/persistence/test_migrations.py`` checks that they do. The domain and
port dataclasses are frozen and slotted, which SQLAlchemy's ``map_imperatively`` cannot
instrument, so the repositories map explicitly between rows and dataclasses.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

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
    Index(None, "user_id", "occurred_at"),
    Index(None, "occurred_at"),
)

rate_limit_counters = Table(
    "rate_limit_counters",
    metadata,
    Column("key", String(255), nullable=False),
    Column("window_start", UtcDateTime(), nullable=False),
    Column("count", Integer(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("key", "window_start"),
    Index(None, "expires_at"),
)
