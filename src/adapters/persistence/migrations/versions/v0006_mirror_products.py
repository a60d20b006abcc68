"""Billing mirror: products (plans are named after them) and which customers' subscriptions
the mirror holds completely.

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _time(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "billing_products",
        sa.Column("id", sa.String(255), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        _time("source_version_at"),
        sa.Column("source_event_id", sa.String(255), nullable=True),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_billing_products"),
    )
    op.create_table(
        "billing_mirror_coverage",
        sa.Column("customer_id", sa.String(255), nullable=False),
        _time("subscriptions_complete_at"),
        sa.PrimaryKeyConstraint("customer_id", name="pk_billing_mirror_coverage"),
    )


def downgrade() -> None:
    op.drop_table("billing_mirror_coverage")
    op.drop_table("billing_products")
