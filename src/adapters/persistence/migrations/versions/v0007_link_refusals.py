"""Automatic linking: the mirrored customers' metadata, and refused links in the link audit
(why: ``reason``, and the details).

Revision ID: v0007
Revises: v0004
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "v0007"
down_revision: str | Sequence[str] | None = "v0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    # Nullable, no default: catalog-only changes on PostgreSQL (no table rewrite).
    with op.batch_alter_table("billing_customers") as table:
        table.add_column(sa.Column("metadata", _JSON, nullable=True))
    with op.batch_alter_table("customer_link_audit") as table:
        table.add_column(sa.Column("reason", sa.String(32), nullable=True))
        table.add_column(sa.Column("detail", sa.String(255), nullable=True))
    # Operators list the refusals (``customers conflicts``) newest first.
    op.create_index(
        "ix_customer_link_audit_action_occurred_at",
        "customer_link_audit",
        ["action", "occurred_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_customer_link_audit_action_occurred_at", "customer_link_audit")
    with op.batch_alter_table("customer_link_audit") as table:
        table.drop_column("detail")
        table.drop_column("reason")
    with op.batch_alter_table("billing_customers") as table:
        table.drop_column("metadata")
