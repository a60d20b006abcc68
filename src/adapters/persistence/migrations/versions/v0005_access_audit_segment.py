"""The customer's segment on each portal access attempt (analytics and metrics).

Revision ID: 0005
Revises: 0006
Create Date: 2026-03-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
# Settled when merged after the other migrations of the same round (0003, 0004).
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, no default: adding it is a catalog-only change on PostgreSQL (no rewrite).
    with op.batch_alter_table("portal_access_audit") as table:
        table.add_column(sa.Column("segment", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("portal_access_audit") as table:
        table.drop_column("segment")
