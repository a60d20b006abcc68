"""Billing sync: webhook inbox, billing mirror, email outbox, billing audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-03-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_AUDIT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _time(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _index(table: str, *columns: str) -> None:
    op.create_index(f"ix_{table}_{'_'.join(columns)}", table, list(columns))


def _mirror_table(name: str, *columns: sa.Column[object]) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.String(255), nullable=False),
        *columns,
        _time("source_version_at", nullable=False),
        sa.Column("source_event_id", sa.String(255), nullable=True),
        _time("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
    )


def _lease_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _time("next_attempt_at"),
        sa.Column("locked_by", sa.String(255), nullable=True),
        _time("locked_until"),
        sa.Column("last_error", sa.Text(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "webhook_events",
        sa.Column("id", sa.String(255), nullable=False),
        sa.Column("type", sa.String(255), nullable=False),
        _time("created", nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("payload", _JSON, nullable=False),
        *_lease_columns(),
        sa.Column("note", sa.Text(), nullable=True),
        _time("received_at", nullable=False),
        _time("processed_at"),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_events"),
    )
    _index("webhook_events", "status", "next_attempt_at")
    _index("webhook_events", "status", "locked_until")
    _index("webhook_events", "status", "created")
    _index("webhook_events", "type", "created")
    _index("webhook_events", "created")

    _mirror_table(
        "billing_customers",
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("address", _JSON, nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("tax_ids", _JSON, nullable=False),
        sa.Column("default_payment_method_id", sa.String(255), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
    )
    _mirror_table(
        "billing_subscriptions",
        sa.Column("customer_id", sa.String(255), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("raw_status", sa.Text(), nullable=False),
        _time("created", nullable=False),
        _time("start_date", nullable=False),
        sa.Column("items", _JSON, nullable=False),
        sa.Column("plan_names", _JSON, nullable=False),
        sa.Column("cancel_at_period_end", sa.Boolean(), nullable=False),
        _time("cancel_at"),
        _time("canceled_at"),
        _time("ended_at"),
        sa.Column("latest_invoice_url", sa.Text(), nullable=True),
        sa.Column("cancellation_reason", sa.Text(), nullable=True),
        sa.Column("cancellation_feedback", sa.Text(), nullable=True),
        sa.Column("cancellation_comment", sa.Text(), nullable=True),
        sa.Column("default_payment_method_id", sa.String(255), nullable=True),
    )
    _index("billing_subscriptions", "customer_id")
    _mirror_table(
        "billing_invoices",
        sa.Column("customer_id", sa.String(255), nullable=True),
        sa.Column("subscription_id", sa.String(255), nullable=True),
        _time("created", nullable=False),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("number", sa.Text(), nullable=True),
        sa.Column("amount_due", sa.BigInteger(), nullable=False),
        sa.Column("amount_paid", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(16), nullable=False),
        _time("period_start"),
        _time("period_end"),
        sa.Column("hosted_invoice_url", sa.Text(), nullable=True),
        sa.Column("invoice_pdf", sa.Text(), nullable=True),
    )
    _index("billing_invoices", "customer_id", "created", "id")
    _mirror_table(
        "billing_payment_methods",
        sa.Column("customer_id", sa.String(255), nullable=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("brand", sa.Text(), nullable=True),
        sa.Column("last4", sa.String(16), nullable=True),
        sa.Column("exp_month", sa.Integer(), nullable=True),
        sa.Column("exp_year", sa.Integer(), nullable=True),
        sa.Column("detached", sa.Boolean(), nullable=False),
    )
    _index("billing_payment_methods", "customer_id")

    op.create_table(
        "email_outbox",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("template", sa.String(64), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("context", _JSON, nullable=False),
        *_lease_columns(),
        _time("created_at", nullable=False),
        _time("sent_at"),
        sa.PrimaryKeyConstraint("key", name="pk_email_outbox"),
    )
    _index("email_outbox", "status", "next_attempt_at")
    _index("email_outbox", "status", "locked_until")

    op.create_table(
        "billing_audit_log",
        sa.Column("id", _AUDIT_ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(255), nullable=False),
        _time("occurred_at", nullable=False),
        sa.Column("subject_id", sa.String(255), nullable=False),
        sa.Column("customer_id", sa.String(255), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_billing_audit_log"),
        sa.UniqueConstraint(
            "event_id", "kind", "subject_id", name="uq_billing_audit_log_event_id_kind_subject_id"
        ),
    )
    _index("billing_audit_log", "customer_id", "occurred_at")
    _index("billing_audit_log", "occurred_at")


def downgrade() -> None:
    for table in (
        "billing_audit_log",
        "email_outbox",
        "billing_payment_methods",
        "billing_invoices",
        "billing_subscriptions",
        "billing_customers",
        "webhook_events",
    ):
        op.drop_table(table)
