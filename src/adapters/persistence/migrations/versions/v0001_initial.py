"""Customer links, configuration mappings, portal access audit, rate-limit counters.

Revision ID: 0001
Revises:
Create Date: 2025-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AUDIT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "customer_links",
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("stripe_customer_id", sa.String(255), nullable=True),
        sa.Column("segment", sa.String(64), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_customer_links"),
        sa.UniqueConstraint("stripe_customer_id", name="uq_customer_links_stripe_customer_id"),
    )
    op.create_table(
        "portal_configuration_mappings",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("provider_id", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_portal_configuration_mappings"),
    )
    op.create_table(
        "portal_access_audit",
        sa.Column("id", _AUDIT_ID, autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("decision", sa.String(128), nullable=False),
        sa.Column("stripe_customer_id", sa.String(255), nullable=True),
        sa.Column("configuration", sa.String(100), nullable=True),
        sa.Column("flow", sa.String(64), nullable=True),
        sa.Column("portal_session_id", sa.String(255), nullable=True),
        sa.Column("request_id", sa.String(128), nullable=True),
        sa.Column("client_address", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_portal_access_audit"),
    )
    op.create_index(
        "ix_portal_access_audit_user_id_occurred_at",
        "portal_access_audit",
        ["user_id", "occurred_at"],
    )
    op.create_index("ix_portal_access_audit_occurred_at", "portal_access_audit", ["occurred_at"])
    op.create_table(
        "rate_limit_counters",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name="pk_rate_limit_counters"),
    )
    op.create_index("ix_rate_limit_counters_expires_at", "rate_limit_counters", ["expires_at"])


def downgrade() -> None:
    op.drop_table("rate_limit_counters")
    op.drop_table("portal_access_audit")
    op.drop_table("portal_configuration_mappings")
    op.drop_table("customer_links")
