"""The server API: API keys (hashed) and the customer link audit.

Revision ID: v0004
Revises: v0003
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "v0004"
down_revision: str | Sequence[str] | None = "v0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AUDIT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("shown_prefix", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    )
    op.create_table(
        "customer_link_audit",
        sa.Column("id", _AUDIT_ID, autoincrement=True, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("customer_id", sa.String(255), nullable=True),
        sa.Column("segment", sa.String(64), nullable=True),
        sa.Column("previous_customer_id", sa.String(255), nullable=True),
        sa.Column("previous_segment", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_customer_link_audit"),
    )
    op.create_index(
        "ix_customer_link_audit_user_id_occurred_at",
        "customer_link_audit",
        ["user_id", "occurred_at"],
    )
    op.create_index("ix_customer_link_audit_occurred_at", "customer_link_audit", ["occurred_at"])


def downgrade() -> None:
    op.drop_table("customer_link_audit")
    op.drop_table("api_keys")
